package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.admin.Verifier;
import dev.eventstore.cli.Cli;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 5: the replication slot is dropped while the bridge runs. PostgreSQL drops only an
 * inactive slot, so the walsender is terminated first; Debezium then restarts its task by itself,
 * without the bridge's preflight checks. Were the slot created again there, at the current WAL
 * position, every event committed in between would be skipped, silently. (SlotSafetyIT covers a
 * slot invalidated or missing at start.) The bridge must stop instead, say so in one line, not
 * create the slot, and the recovery it then advises must leave nothing missing.
 */
class SlotDroppedIT {

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
    void slotDroppedWhileTheBridgeRunsStopsItAndTheAdvisedRecoveryMissesNothing() throws Exception {
        long started = System.nanoTime();
        SteadyWriter writer = new SteadyWriter(rig.store, "game", 20, 5L, 20_000, Duration.ofSeconds(Soak.size(150, 600)), 50)
                .start();
        Cli.Child bridge = start(Map.of());
        rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);

        // Terminate the walsender and drop the slot while it is inactive, under steady appends.
        long droppedAt = dropSlotUnderTheBridge();
        Cli.Result stopped = FaultRig.awaitExit(bridge, FaultRig.TIMEOUT);
        long detectedMs = (System.nanoTime() - droppedAt) / 1_000_000;
        assertThat(stopped.exitCode()).as(stopped.all()).isEqualTo(1);
        assertThat(stopped.err()).as(stopped.all())
                .contains("eventstore: bridge stopped: replication slot " + rig.slot + " no longer exists");
        assertThat(rig.slotExists()).as("the bridge did not create its slot again by itself").isFalse();

        // Starting again refuses, with the recovery.
        Cli.Result refused = rig.cli(Map.of()).run("run");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
        assertThat(refused.err()).as(refused.all()).contains(rig.slot).contains("--reset-offsets");
        writer.close();
        long stored = writer.assertAcknowledgedPresent();

        // The advised recovery: republish what may be missing, then start afresh from the slot.
        long recovering = System.nanoTime();
        Matcher from = Pattern.compile("republish --from-event-id (\\d+)").matcher(refused.err());
        Map<String, String> restart = new LinkedHashMap<>();
        if (from.find()) {
            Cli.Result republished = rig.cli(Map.of()).run("republish", "--from-event-id", from.group(1));
            assertThat(republished.exitCode()).as(republished.all()).isZero();
            restart.put("snapshot.mode", "no_data");
        } // else the advice is a new snapshot: --reset-offsets with snapshot.mode=initial publishes everything
        Cli.Child recovered = rig.cli(restart).start(directory, "run", "--reset-offsets");
        children.add(recovered);
        await().atMost(FaultRig.TIMEOUT).until(() -> recovered.outSoFar().contains(" publishing ") || !recovered.isAlive());
        assertThat(recovered.isAlive()).as(recovered.outSoFar() + recovered.errSoFar()).isTrue();

        Verifier.Report report = rig.verify();
        long recoveredMs = (System.nanoTime() - recovering) / 1_000_000;
        recovered.terminate();
        recovered.finish(60);
        FaultRig.assertWhole(report, stored);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("written", stored);
        figures.put("missing", report.missing());
        figures.put("duplicated", report.duplicated());
        figures.put("out_of_order", report.outOfOrder());
        figures.put("stopped_after_drop_ms", detectedMs);
        figures.put("recovered_ms", recoveredMs);
        figures.put("seconds", (System.nanoTime() - started) / 1_000_000_000);
        FaultRig.report("slot-dropped-while-running", figures);
    }

    private Cli.Child start(Map<String, String> settings) {
        Cli.Child child = rig.startChild(directory, settings);
        children.add(child);
        return child;
    }

    /** Terminates the walsender and drops the slot once it is inactive; returns when it was dropped. */
    private long dropSlotUnderTheBridge() {
        rig.awaitWalsender();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (rig.terminateWalsender()) {
                return false;
            }
            try (Connection connection = rig.connect(); PreparedStatement drop = connection.prepareStatement(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
                drop.setString(1, rig.slot);
                drop.execute();
            } catch (java.sql.SQLException activeAgain) {
                return false; // the walsender came back between the two statements
            }
            return !rig.slotExists();
        });
        return System.nanoTime();
    }
}
