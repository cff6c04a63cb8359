package dev.eventstore.faults;

import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.admin.Verifier;
import dev.eventstore.cli.Cli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 1: the bridge process is killed with SIGKILL, again and again (5 times, 50 in the
 * soak run), at random moments, under steady appends to many streams. Nothing may be missing; events may arrive twice only just
 * after a kill, at most one batch of them per kill.
 */
class BridgeKillIT {

    private static final int MAX_BATCH = 20;
    private static final long SEED = Long.getLong("eventstore.faults.seed", 20240808L);

    private final FaultRig rig = FaultRig.shared();
    private final List<Cli.Child> children = new ArrayList<>();

    @TempDir
    Path directory;

    @AfterEach
    void cleanUp() {
        FaultRig.killAll(children);
        rig.dropSlot();
    }

    @Test
    void killedAtRandomMomentsLosesNothingAndRepeatsAtMostOneBatchPerKill() throws Exception {
        int kills = Soak.size(5, 50);
        Random random = new Random(SEED);
        // Offsets saved after every batch of at most 20: a kill can only repeat the batch in flight.
        Map<String, String> settings = Map.of("offset.flush.interval.ms", "0", "max.batch.size", Integer.toString(MAX_BATCH));
        long started = System.nanoTime();

        List<Map<TopicPartition, Long>> restarts = new ArrayList<>();
        List<Long> recoveries = new ArrayList<>();
        SteadyWriter writer = new SteadyWriter(rig.store, "game", 50, SEED, Soak.size(40_000, 400_000),
                Duration.ofSeconds(Soak.size(400, 3000)), 60).start();
        Cli.Child bridge = start(settings);
        // The first bridge takes the initial snapshot of what the writer stored before it started.
        // Debezium does not resume an interrupted snapshot but takes it again, whole (its records
        // arrive twice, more than a batch): the kills here are of a streaming bridge.
        rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);
        for (int kill = 1; kill <= kills; kill++) {
            // A random moment: 0.3 to 3 s into this bridge's life, while events flow.
            long lived = 300 + random.nextInt(2700);
            long killAt = System.nanoTime() + lived * 1_000_000;
            Cli.Child alive = bridge;
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> System.nanoTime() >= killAt || !alive.isAlive());
            assertThat(bridge.isAlive()).as("bridge alive before kill " + kill + ": " + bridge.errSoFar()).isTrue();
            assertThat(writer.isRunning()).as("writer still appending at kill " + kill).isTrue();
            long killed = System.nanoTime();
            bridge.kill();
            bridge.finish(30);
            String lsnAtKill = rig.currentWalLsn();
            restarts.add(settledEndOffsets());
            long starting = System.nanoTime();
            bridge = start(settings);
            long startMs = (System.nanoTime() - starting) / 1_000_000;
            // Recovered: the new bridge has published everything committed before the kill.
            rig.awaitConfirmed(lsnAtKill, FaultRig.TIMEOUT);
            recoveries.add((System.nanoTime() - killed) / 1_000_000);
            System.out.printf("kill %d after %d ms: restart took %d ms, recovered in %d ms, %d events acknowledged%n", kill,
                    lived, startMs, recoveries.get(recoveries.size() - 1), writer.acknowledgedEvents());
        }
        writer.close();
        long stored = writer.assertAcknowledgedPresent();

        Verifier.Report report = rig.verify();
        bridge.terminate();
        assertThat(bridge.finish(60).out()).contains("Bridge stopped.");
        FaultRig.assertWhole(report, stored);

        // Each duplicate is the second copy of a record; it must lie in the first records a
        // restarted bridge wrote to its partition, and each restart repeats at most one batch.
        Map<Integer, Integer> duplicatesPerRestart = duplicatesPerRestart(rig.records(), restarts);
        int duplicates = duplicatesPerRestart.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(duplicates).as("duplicates counted by verify").isEqualTo((int) report.duplicated());
        assertThat(duplicatesPerRestart.getOrDefault(0, 0)).as("duplicates before the first kill").isZero();
        assertThat(duplicatesPerRestart.values()).as("duplicates per kill").allMatch(d -> d <= MAX_BATCH);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("kills", kills);
        figures.put("written", stored);
        figures.put("missing", report.missing());
        figures.put("duplicated", report.duplicated());
        figures.put("max_duplicated_per_kill", duplicatesPerRestart.values().stream().mapToInt(Integer::intValue).max().orElse(0));
        figures.put("out_of_order", report.outOfOrder());
        figures.put("recovered_ms_max", recoveries.stream().mapToLong(Long::longValue).max().orElse(0));
        figures.put("recovered_ms_median", recoveries.stream().sorted().toList().get(recoveries.size() / 2));
        figures.put("seconds", (System.nanoTime() - started) / 1_000_000_000);
        FaultRig.report("bridge-sigkill", figures);
    }

    private Cli.Child start(Map<String, String> settings) {
        Cli.Child child = rig.startChild(directory, settings);
        children.add(child);
        return child;
    }

    /** End offsets once the killed process's last requests have landed (two equal reads). */
    private Map<TopicPartition, Long> settledEndOffsets() {
        Map<TopicPartition, Long>[] last = new Map[] {rig.endOffsets()};
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ofMillis(200)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Map<TopicPartition, Long> now = rig.endOffsets();
                    boolean settled = now.equals(last[0]);
                    last[0] = now;
                    return settled;
                });
        return last[0];
    }

    /**
     * For each duplicate record (a stream version seen before), the restart it belongs to: the
     * number of restarts whose first offset in its partition is at or below its offset. Fails
     * when a duplicate is not among the first {@value #MAX_BATCH} records of its restart.
     */
    static Map<Integer, Integer> duplicatesPerRestart(List<ConsumerRecord<String, byte[]>> records,
                                                      List<Map<TopicPartition, Long>> restarts) {
        Map<String, String> seen = new HashMap<>();
        Map<Integer, Integer> perRestart = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            String key = record.key() + "@" + header(record, "ce_streamversion");
            String where = record.topic() + "-" + record.partition() + "@" + record.offset();
            String original = seen.putIfAbsent(key, where);
            if (original == null) {
                continue;
            }
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            int restart = 0;
            long restartStart = 0;
            for (int i = 0; i < restarts.size(); i++) {
                long boundary = restarts.get(i).getOrDefault(partition, 0L);
                if (record.offset() >= boundary) {
                    restart = i + 1;
                    restartStart = boundary;
                }
            }
            assertThat(record.offset() - restartStart)
                    .as("duplicate " + key + " at " + where + " (first at " + original + ") lies among the first records"
                            + " of restart " + restart + " in its partition, from offset " + restartStart)
                    .isLessThan(MAX_BATCH);
            perRestart.merge(restart, 1, Integer::sum);
        }
        return perRestart;
    }
}
