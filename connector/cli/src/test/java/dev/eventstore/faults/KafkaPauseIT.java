package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.admin.Verifier;
import dev.eventstore.cli.Cli;
import dev.eventstore.embedded.EmbeddedKafkaBroker;
import dev.eventstore.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 3: the Kafka broker goes away for 30 s (its own broker, stopped and started again on
 * the same log directory and ports). The bridge must wait, with bounded memory, and resume with
 * nothing missing. Memory is bounded by Debezium's queue ({@code max.queue.size} change records,
 * kept small here so that it fills) and the producer's buffer; once the queue is full, the WAL
 * reader waits and PostgreSQL keeps the WAL for the slot. The producer gives up on a record after
 * {@code delivery.timeout.ms} (Kafka's default, 120 s), longer than the pause.
 */
class KafkaPauseIT {

    private static final Map<String, String> BROKER = Map.of("message.max.bytes", "2097152");

    private final List<Cli.Child> children = new ArrayList<>();
    private EmbeddedKafkaBroker broker;
    private FaultRig rig;

    @TempDir
    Path directory;

    @AfterEach
    void cleanUp() {
        FaultRig.killAll(children);
        if (rig != null) {
            rig.dropSlot();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void brokerAwayForThirtySecondsThenBackLosesNothing() throws Exception {
        long started = System.nanoTime();
        Path logs = directory.resolve("kafka");
        broker = EmbeddedKafkaBroker.start(logs, 0, 0, BROKER);
        int port = broker.port();
        int controllerPort = broker.controllerPort();
        rig = new FaultRig(TestDatabase.get().settings(), broker.bootstrapServers());

        Map<String, String> settings = Map.of("max.queue.size", "256", "max.batch.size", "64");
        SteadyWriter writer = new SteadyWriter(rig.store, "game", 20, 4L, 20_000, Duration.ofSeconds(Soak.size(180, 900)), 40)
                .start();
        Cli.Child bridge = rig.startChild(directory, settings);
        children.add(bridge);
        rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);
        long rssBefore = residentKb(bridge.pid());

        // Away: the bridge keeps running, its memory within bounds, while appends go on.
        Duration pause = Duration.ofSeconds(Soak.size(30, 90));
        broker.close();
        broker = null;
        long stoppedAt = System.nanoTime();
        long writtenBefore = writer.acknowledgedEvents();
        AtomicLong rssPeak = new AtomicLong(rssBefore);
        try {
            await().during(pause).atMost(pause.plusSeconds(10)).pollInterval(Duration.ofMillis(500)).until(() -> {
                rssPeak.accumulateAndGet(residentKb(bridge.pid()), Math::max);
                return bridge.isAlive();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // What the bridge said, the only account of why it did not stay up while Kafka was away.
            throw new AssertionError("the bridge did not stay up while Kafka was away: " + bridge.errSoFar(), e);
        }
        long appendedWhileAway = writer.acknowledgedEvents() - writtenBefore;

        broker = EmbeddedKafkaBroker.start(logs, port, controllerPort, BROKER);
        long pausedMs = (System.nanoTime() - stoppedAt) / 1_000_000;
        String lsn = rig.currentWalLsn();
        rig.awaitConfirmed(lsn, FaultRig.TIMEOUT);
        long recoveredMs = (System.nanoTime() - stoppedAt) / 1_000_000 - pausedMs;
        assertThat(bridge.isAlive()).as(bridge.errSoFar()).isTrue();

        writer.close();
        long stored = writer.assertAcknowledgedPresent();
        Verifier.Report report = rig.verify();
        bridge.terminate();
        assertThat(bridge.finish(60).out()).contains("Bridge stopped.");
        FaultRig.assertWhole(report, stored);
        assertThat(appendedWhileAway).as("appends went on while Kafka was away").isPositive();

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("paused_ms", pausedMs);
        figures.put("written", stored);
        figures.put("appended_while_away", appendedWhileAway);
        figures.put("missing", report.missing());
        figures.put("duplicated", report.duplicated());
        figures.put("out_of_order", report.outOfOrder());
        figures.put("recovered_ms", recoveredMs);
        figures.put("bridge_rss_mb_before", rssBefore / 1024);
        figures.put("bridge_rss_mb_peak", rssPeak.get() / 1024);
        figures.put("seconds", (System.nanoTime() - started) / 1_000_000_000);
        FaultRig.report("kafka-away-30s", figures);
    }

    /** The resident memory of a process in KiB (Linux), or 0 where /proc is not there. */
    private static long residentKb(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // Not Linux, or the process has ended.
        }
        return 0;
    }
}
