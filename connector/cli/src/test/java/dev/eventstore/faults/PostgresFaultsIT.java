package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.admin.Verifier;
import dev.eventstore.cli.Cli;
import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.testing.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 2: PostgreSQL goes away under the bridge. A fast shutdown and restart of the server
 * (its own server, on a fixed data directory and port, so that the shared one other tests use is
 * not disturbed), and separately the walsender terminated with {@code pg_terminate_backend}: the
 * bridge reconnects by itself (Debezium restarts its task after a retriable error), or stops with
 * a clear error and is started again, and resumes with nothing missing.
 */
class PostgresFaultsIT {

    private final List<Cli.Child> children = new ArrayList<>();
    private final List<AutoCloseable> servers = new ArrayList<>();
    private FaultRig rig;

    @TempDir
    Path directory;

    @AfterEach
    void cleanUp() throws Exception {
        FaultRig.killAll(children);
        if (rig != null) {
            rig.dropSlot();
        }
        for (AutoCloseable server : servers) {
            server.close();
        }
    }

    @Test
    void fastRestartOfPostgresLosesNothing() throws Exception {
        long started = System.nanoTime();
        Path data = directory.resolve("pgdata");
        EmbeddedPostgresServer[] server = {EmbeddedPostgresServer.start(data, 0, Map.of())};
        servers.add(() -> server[0].close());
        int port = server[0].port();
        rig = new FaultRig(new ConnectionSettings(server[0].jdbcUrl(), EmbeddedPostgresServer.SUPERUSER, null),
                TestKafka.bootstrapServers());

        SteadyWriter writer = new SteadyWriter(rig.store, "game", 20, 2L, 20_000, Duration.ofSeconds(Soak.size(150, 600)), 40)
                .start();
        Cli.Child bridge = start();
        rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);

        int restarts = Soak.size(1, 5);
        List<Long> recoveries = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        for (int restart = 1; restart <= restarts; restart++) {
            long down = System.nanoTime();
            server[0].close(); // pg_ctl stop -m fast
            server[0] = EmbeddedPostgresServer.start(data, port, Map.of());
            long upMs = (System.nanoTime() - down) / 1_000_000;
            String lsn = rig.currentWalLsn();
            // The bridge reconnects by itself, or stops with a clear line and is started again.
            Cli.Child running = bridge;
            await().atMost(FaultRig.TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> !running.isAlive() || confirmed(lsn));
            if (!bridge.isAlive()) {
                Cli.Result stopped = bridge.finish(30);
                assertThat(stopped.exitCode()).as(stopped.all()).isEqualTo(1);
                // The child's log lines come first; the command's own line is the last.
                List<String> errLines = stopped.err().lines().toList();
                assertThat(errLines).as(stopped.all()).isNotEmpty();
                assertThat(errLines.get(errLines.size() - 1)).as(stopped.all()).startsWith("eventstore: bridge stopped: ");
                outcomes.add("stopped(" + errLines.get(errLines.size() - 1) + ")");
                bridge = start();
            } else {
                outcomes.add("reconnected");
            }
            rig.awaitConfirmed(lsn, FaultRig.TIMEOUT);
            recoveries.add((System.nanoTime() - down) / 1_000_000);
            System.out.printf("PostgreSQL restart %d: down and up again in %d ms, bridge %s, recovered in %d ms%n", restart,
                    upMs, outcomes.get(outcomes.size() - 1), recoveries.get(recoveries.size() - 1));
        }
        writer.close();
        long stored = writer.assertAcknowledgedPresent();
        Verifier.Report report = rig.verify();
        bridge.terminate();
        bridge.finish(60);
        FaultRig.assertWhole(report, stored);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("restarts", restarts);
        figures.put("written", stored);
        figures.put("failed_appends_retried", writer.failures());
        figures.put("missing", report.missing());
        figures.put("duplicated", report.duplicated());
        figures.put("out_of_order", report.outOfOrder());
        figures.put("bridge", outcomes.get(0).startsWith("reconnected") ? "reconnected" : "stopped-and-restarted");
        figures.put("recovered_ms_max", recoveries.stream().mapToLong(Long::longValue).max().orElse(0));
        figures.put("seconds", (System.nanoTime() - started) / 1_000_000_000);
        FaultRig.report("postgres-fast-restart", figures);
    }

    @Test
    void terminatedWalsenderReconnectsAndLosesNothing() throws Exception {
        long started = System.nanoTime();
        rig = FaultRig.shared();
        SteadyWriter writer = new SteadyWriter(rig.store, "game", 20, 3L, 20_000, Duration.ofSeconds(Soak.size(150, 600)), 40)
                .start();
        Cli.Child bridge = start();
        int terminations = Soak.size(2, 10);
        List<Long> recoveries = new ArrayList<>();
        for (int i = 1; i <= terminations; i++) {
            int pid = rig.awaitWalsender();
            rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);
            long terminated = System.nanoTime();
            assertThat(rig.terminateWalsender()).as("walsender " + pid + " terminated").isTrue();
            String lsn = rig.currentWalLsn();
            rig.awaitConfirmed(lsn, FaultRig.TIMEOUT);
            recoveries.add((System.nanoTime() - terminated) / 1_000_000);
            assertThat(bridge.isAlive()).as("the bridge reconnected by itself: " + bridge.errSoFar()).isTrue();
            assertThat(rig.walsenderPid()).as("a new walsender").isNotEqualTo(pid);
        }
        writer.close();
        long stored = writer.assertAcknowledgedPresent();
        Verifier.Report report = rig.verify();
        bridge.terminate();
        bridge.finish(60);
        FaultRig.assertWhole(report, stored);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("terminations", terminations);
        figures.put("written", stored);
        figures.put("missing", report.missing());
        figures.put("duplicated", report.duplicated());
        figures.put("out_of_order", report.outOfOrder());
        figures.put("recovered_ms_max", recoveries.stream().mapToLong(Long::longValue).max().orElse(0));
        figures.put("seconds", (System.nanoTime() - started) / 1_000_000_000);
        FaultRig.report("walsender-terminated", figures);
    }

    private boolean confirmed(String lsn) throws Exception {
        try (var connection = rig.connect(); var query = connection.prepareStatement(
                "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, lsn);
            query.setString(2, rig.slot);
            try (var rs = query.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private Cli.Child start() {
        Cli.Child child = rig.startChild(directory, Map.of());
        children.add(child);
        return child;
    }
}
