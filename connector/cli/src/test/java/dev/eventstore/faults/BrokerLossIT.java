package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.admin.Verifier;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.KafkaClients;
import dev.eventstore.cli.Cli;
import dev.eventstore.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka cluster of three brokers loses one broker at a time, each a partition leader, killed with
 * SIGKILL under steady appends and started again: the bridge keeps running, nothing is lost and
 * every stream stays in order. Topics have replication factor 3 and {@code min.insync.replicas} 2,
 * so with one broker down every write is still acknowledged by two. A consumer reading beside the
 * bridge measures commit-to-consumer latency, in steady state and across each leader change.
 */
class BrokerLossIT {

    private final List<Cli.Child> children = new ArrayList<>();
    private BrokerCluster cluster;
    private FaultRig rig;
    private LatencyProbe probe;

    @TempDir
    Path directory;

    @AfterEach
    void cleanUp() {
        if (probe != null) {
            probe.close();
        }
        FaultRig.killAll(children);
        if (rig != null) {
            rig.dropSlot();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aLeaderKilledTwiceUnderSteadyAppendsLosesNothingAndKeepsOrder() throws Exception {
        long started = System.nanoTime();
        cluster = BrokerCluster.start(directory.resolve("kafka"));
        long clusterStartMs = (System.nanoTime() - started) / 1_000_000;
        rig = new FaultRig(TestDatabase.get().settings(), cluster.bootstrapServers());
        Map<String, String> settings = Map.of(BridgeConfig.Key.TOPIC_REPLICATION_FACTOR, "3");

        Duration down = Duration.ofSeconds(Soak.size(15, 60));
        SteadyWriter writer = new SteadyWriter(rig.store, "game", 20, 19L, 50_000,
                Duration.ofSeconds(Soak.size(240, 900)), 50).start();
        Cli.Child bridge = rig.startChild(directory, settings);
        children.add(bridge);
        rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);

        List<String> topics;
        try (Admin admin = cluster.admin()) {
            topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(name -> name.startsWith(rig.topicPrefix + ".")).sorted().toList();
            assertThat(topics).as("the bridge created its topics").isNotEmpty();
            Config topicConfig = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topics.get(0))))
                    .all().get(30, TimeUnit.SECONDS).values().iterator().next();
            assertThat(topicConfig.get("min.insync.replicas").value()).isEqualTo("2");
            assertThat(admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).get(topics.get(0))
                    .partitions().get(0).replicas()).hasSize(3);
        }
        probe = new LatencyProbe(rig.config(Map.of()), topics);
        await().atMost(FaultRig.TIMEOUT).until(() -> probe.received() > 0);

        List<long[]> windows = new ArrayList<>();
        List<Long> recoveredMs = new ArrayList<>();
        int firstKilled = 0;
        for (int round = 1; round <= 2; round++) {
            int victim;
            try (Admin admin = cluster.admin()) {
                Map<String, Integer> leaders = BrokerCluster.leaders(admin, topics);
                int avoid = firstKilled;
                victim = leaders.values().stream().filter(node -> node > 0 && node != avoid).findFirst()
                        .orElseThrow(() -> new AssertionError("no broker but " + avoid + " leads a partition: " + leaders));
            }
            long writtenBefore = writer.acknowledgedEvents();
            long killedAt = System.currentTimeMillis();
            cluster.kill(victim);
            await().during(down).atMost(down.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(bridge::isAlive);
            assertThat(writer.acknowledgedEvents()).as("appends went on while broker " + victim + " was down")
                    .isGreaterThan(writtenBefore);
            cluster.restart(victim);
            cluster.awaitBrokers(BrokerCluster.SIZE);
            try (Admin admin = cluster.admin()) {
                await().atMost(FaultRig.TIMEOUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .until(() -> BrokerCluster.fullyReplicated(admin, topics));
            }
            String lsn = rig.currentWalLsn();
            rig.awaitConfirmed(lsn, FaultRig.TIMEOUT);
            long recoveredAt = System.currentTimeMillis();
            recoveredMs.add(recoveredAt - killedAt);
            windows.add(new long[] {killedAt, recoveredAt});
            firstKilled = victim;
            assertThat(bridge.isAlive()).as("the bridge runs after broker " + victim + " came back: " + bridge.errSoFar())
                    .isTrue();
        }

        writer.close();
        long stored = writer.assertAcknowledgedPresent();
        Verifier.Report report = rig.verify();
        assertThat(bridge.isAlive()).as(bridge.errSoFar()).isTrue();
        bridge.terminate();
        assertThat(bridge.finish(60).out()).contains("Bridge stopped.");
        FaultRig.assertWhole(report, stored);
        probe.close();

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("written", stored);
        figures.put("missing", report.missing());
        figures.put("duplicated", report.duplicated());
        figures.put("out_of_order", report.outOfOrder());
        figures.put("down_s", down.toSeconds());
        figures.put("recovered_ms", recoveredMs);
        figures.putAll(probe.figures(windows));
        figures.put("cluster_start_ms", clusterStartMs);
        figures.put("seconds", (System.nanoTime() - started) / 1_000_000_000);
        FaultRig.report("kafka-broker-loss", figures);
    }

    /**
     * A consumer of the test's topics beside the bridge: for every record, the time from the
     * event's commit (the record's timestamp, the event's {@code created_at}) to its arrival here.
     */
    private static final class LatencyProbe implements AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer;
        private final Thread thread;
        private final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean stopped;

        /** Reads {@code topics} from their current ends, by assignment: no group coordinator in the way. */
        LatencyProbe(BridgeConfig config, List<String> topics) {
            consumer = KafkaClients.reader(config, "broker-loss-probe");
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            thread = new Thread(this::run, "latency-probe");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (!stopped && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    samples.add(new long[] {now, now - record.timestamp()});
                }
            }
            consumer.close(Duration.ofSeconds(5));
        }

        long received() {
            return samples.size();
        }

        /**
         * p50 and p99 outside the fault windows (from a kill to the moment everything written before
         * the broker came back was confirmed), and p99 and max inside each window.
         */
        Map<String, Object> figures(List<long[]> windows) {
            List<Long> steady = new ArrayList<>();
            List<List<Long>> inWindow = new ArrayList<>();
            windows.forEach(w -> inWindow.add(new ArrayList<>()));
            synchronized (samples) {
                for (long[] sample : samples) {
                    boolean steadySample = true;
                    for (int i = 0; i < windows.size(); i++) {
                        if (sample[0] >= windows.get(i)[0] && sample[0] < windows.get(i)[1]) {
                            inWindow.get(i).add(sample[1]);
                            steadySample = false;
                        }
                    }
                    if (steadySample) {
                        steady.add(sample[1]);
                    }
                }
            }
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("latency_steady_p50_ms", percentile(steady, 0.50));
            figures.put("latency_steady_p99_ms", percentile(steady, 0.99));
            for (int i = 0; i < windows.size(); i++) {
                assertThat(inWindow.get(i)).as("records arrived during fault window " + (i + 1)).isNotEmpty();
                figures.put("latency_kill" + (i + 1) + "_p99_ms", percentile(inWindow.get(i), 0.99));
                figures.put("latency_kill" + (i + 1) + "_max_ms", percentile(inWindow.get(i), 1.0));
            }
            return figures;
        }

        private static long percentile(List<Long> values, double quantile) {
            if (values.isEmpty()) {
                return -1;
            }
            List<Long> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            int index = (int) Math.ceil(quantile * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
        }

        @Override
        public void close() {
            stopped = true;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
