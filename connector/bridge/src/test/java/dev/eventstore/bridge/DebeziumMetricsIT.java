package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Debezium's streaming metrics stay whole under the bridge, which tells them of every change
 * without its key ({@link KeylessEventListener}): the events are counted and {@code LastEvent}
 * names the last change's WAL position, without the key Debezium would write to JSON per change.
 */
class DebeziumMetricsIT {

    private final BridgeTestSupport support = new BridgeTestSupport();
    private EventBridge bridge;

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
    }

    @Test
    void streamingMetricsCountEveryEventAndSummariseTheLastWithoutItsKey() throws Exception {
        bridge = EventBridge.start(new BridgeConfig(support.config()), false);
        bridge.ready().get(60, TimeUnit.SECONDS);

        support.store.append("game-m1", ExpectedVersion.NO_STREAM,
                List.of(EventData.of("Tick", "{\"v\":1}"), EventData.of("Tick", "{\"v\":2}"), EventData.of("Tick", "{\"v\":3}")));

        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName pattern = new ObjectName("debezium.postgres:type=connector-metrics,context=streaming,*");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(bridge.metrics().publishedCount()).isGreaterThanOrEqualTo(3);
            Set<ObjectName> names = server.queryNames(pattern, null);
            assertThat(names).as("Debezium's streaming metrics, registered").hasSize(1);
            ObjectName streaming = names.iterator().next();
            assertThat((Long) server.getAttribute(streaming, "TotalNumberOfEventsSeen")).isGreaterThanOrEqualTo(3);
            assertThat((String) server.getAttribute(streaming, "LastEvent"))
                    .as("the last change's position, without its key")
                    .contains("position: {", "lsn: ")
                    .doesNotContain("key:");
        });
    }
}
