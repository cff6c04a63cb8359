package dev.eventstore.bridge;

import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.testing.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Publishing is pipelined: Debezium hands over the next batch while Kafka still acknowledges the
 * earlier ones. A graceful stop in the middle of a backlog acknowledges and saves everything in
 * flight, so the restarted bridge neither loses nor repeats an event, and each stream stays in
 * order.
 */
class PipelinedPublishIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int STREAMS = 20;
    private static final int VERSIONS = 500;
    private static final int PER_APPEND = 50;

    private final BridgeTestSupport support = new BridgeTestSupport();
    private final List<EventBridge> bridges = new ArrayList<>();

    @AfterEach
    void stopBridges() {
        bridges.forEach(EventBridge::close);
        support.dropSlot();
    }

    private EventBridge startBridge(Map<String, Object> overrides) throws Exception {
        Map<String, Object> config = support.config();
        config.putAll(overrides);
        EventBridge bridge = EventBridge.start(new BridgeConfig(config), false);
        bridges.add(bridge);
        bridge.ready().get(60, TimeUnit.SECONDS);
        return bridge;
    }

    @Test
    void stopsInTheMiddleOfABacklogAndRestartsLosingAndRepeatingNothing() throws Exception {
        // Small batches, so that many are in flight at once; the slot made before the backlog, which
        // then comes from the WAL (a snapshot stopped half way is taken again whole).
        Map<String, Object> small = Map.of(BridgeConfig.Key.MAX_BATCH_SIZE, 100, BridgeConfig.Key.SNAPSHOT_MODE, "no_data");
        startBridge(small).close();

        int total = STREAMS * VERSIONS;
        for (int first = 1; first <= VERSIONS; first += PER_APPEND) {
            for (int s = 0; s < STREAMS; s++) {
                List<EventData> events = new ArrayList<>();
                for (int v = first; v < first + PER_APPEND; v++) {
                    events.add(EventData.of("Tick", "{\"v\":" + v + "}"));
                }
                support.store.append("game-p" + s, ExpectedVersion.exactly(first - 1L), events);
            }
        }

        EventBridge draining = startBridge(small);
        // Stopped once part of the backlog is in Kafka: the rest is being read, encoded and sent.
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(5))
                .until(() -> draining.metrics().publishedCount() >= total / 10);
        draining.close();
        long beforeStop = draining.metrics().publishedCount();
        assertThat(beforeStop).as("stopped in the middle of the backlog").isLessThan(total);

        startBridge(small);
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(support.topics(), total, TIMEOUT);
        Map<String, List<Long>> versions = new HashMap<>();
        records.stream()
                .sorted(Comparator.comparing((ConsumerRecord<String, byte[]> r) -> r.topic())
                        .thenComparing(ConsumerRecord::partition).thenComparing(ConsumerRecord::offset))
                .forEach(r -> versions.computeIfAbsent(r.key(), k -> new ArrayList<>())
                        .add(Long.parseLong(header(r, "ce_streamversion"))));
        List<Long> expected = LongStream.rangeClosed(1, VERSIONS).boxed().toList();
        assertThat(versions).hasSize(STREAMS);
        versions.forEach((stream, seen) -> assertThat(seen).as(stream + ": each version once, in order").isEqualTo(expected));
        assertThat(records).hasSize(total);
    }
}
