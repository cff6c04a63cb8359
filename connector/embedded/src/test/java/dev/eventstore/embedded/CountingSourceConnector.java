package dev.eventstore.embedded;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/**
 * A test source connector: writes {@code count} records, "0" to "count-1" keyed "k", to {@code topic},
 * then waits to be stopped. Listed in META-INF/services for {@code plugin.discovery=service_load}.
 */
public class CountingSourceConnector extends SourceConnector {

    static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define("topic", ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    ConfigDef.Importance.HIGH, "Topic to write to.")
            .define("count", ConfigDef.Type.INT, 5, ConfigDef.Range.atLeast(0), ConfigDef.Importance.HIGH,
                    "Number of records to write.");

    private Map<String, String> config;

    @Override
    public void start(Map<String, String> props) {
        CONFIG_DEF.parse(props);
        config = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return CountingTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(config);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public String version() {
        return "test";
    }

    public static class CountingTask extends SourceTask {
        private final CountDownLatch stopped = new CountDownLatch(1);
        private String topic;
        private int count;
        private int next;

        @Override
        public void start(Map<String, String> props) {
            topic = props.get("topic");
            count = Integer.parseInt(props.getOrDefault("count", "5"));
            Map<String, Object> offset = context.offsetStorageReader().offset(Map.of("counter", topic));
            next = offset == null ? 0 : ((Number) offset.get("next")).intValue();
        }

        @Override
        public List<SourceRecord> poll() throws InterruptedException {
            if (next >= count) {
                stopped.await(100, TimeUnit.MILLISECONDS);
                return null;
            }
            int value = next++;
            return List.of(new SourceRecord(Map.of("counter", topic), Map.of("next", next), topic, null,
                    Schema.STRING_SCHEMA, "k", Schema.STRING_SCHEMA, Integer.toString(value)));
        }

        @Override
        public void stop() {
            stopped.countDown();
        }

        @Override
        public String version() {
            return "test";
        }
    }
}
