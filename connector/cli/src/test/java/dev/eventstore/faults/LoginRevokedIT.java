package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.admin.Verifier;
import dev.eventstore.cli.Cli;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 6: the bridge's database role loses LOGIN and its sessions are terminated. Retrying
 * cannot help, so the bridge must stop within a bounded time with an error that says so, not retry
 * for ever; once LOGIN is given back, a restart resumes with nothing missing.
 */
class LoginRevokedIT {

    private static final String PASSWORD = "revoked-login-pw";

    private final FaultRig rig = FaultRig.shared();
    private final List<Cli.Child> children = new ArrayList<>();
    private final String role = "faults_login_" + rig.id;

    @TempDir
    Path directory;

    @AfterEach
    void cleanUp() throws Exception {
        FaultRig.killAll(children);
        rig.dropSlot();
        sql("DROP ROLE IF EXISTS " + role);
    }

    private void sql(String... statements) throws Exception {
        try (Connection connection = rig.connect(); Statement statement = connection.createStatement()) {
            for (String s : statements) {
                statement.execute(s);
            }
        }
    }

    @Test
    void bridgeWhoseRoleLosesLoginStopsWithinBoundedTimeAndResumesOnceItIsBack() throws Exception {
        long started = System.nanoTime();
        // The bridge logs in as its own CDC role (least privilege), as in production.
        sql("CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD '" + PASSWORD + "' IN ROLE " + FaultRig.SCHEMA + "_cdc");
        Map<String, String> asRole = Map.of("db.user", role, "db.password", PASSWORD);
        SteadyWriter writer = new SteadyWriter(rig.store, "game", 20, 6L, 20_000, Duration.ofSeconds(Soak.size(150, 600)), 40)
                .start();
        Cli.Child bridge = rig.startChild(directory, asRole);
        children.add(bridge);
        rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);

        sql("ALTER ROLE " + role + " NOLOGIN",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
        long revoked = System.nanoTime();
        Cli.Result stopped = FaultRig.awaitExit(bridge, FaultRig.TIMEOUT);
        long failedAfterMs = (System.nanoTime() - revoked) / 1_000_000;
        assertThat(stopped.exitCode()).as(stopped.all()).isEqualTo(1);
        assertThat(stopped.err()).as(stopped.all())
                .contains("eventstore: bridge stopped: PostgreSQL refuses the bridge's login as " + role)
                .contains("is not permitted to log in");
        assertThat(failedAfterMs).as("stopped within a bounded time").isLessThan(FaultRig.TIMEOUT.toMillis());

        // LOGIN back: the bridge resumes where it stopped.
        sql("ALTER ROLE " + role + " LOGIN");
        long restarting = System.nanoTime();
        Cli.Child resumed = rig.startChild(directory, asRole);
        children.add(resumed);
        writer.close();
        long stored = writer.assertAcknowledgedPresent();
        // The resumed child needs a few seconds to start; verify reads an inactive slot as "no bridge".
        rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);
        Verifier.Report report = rig.verify();
        long recoveredMs = (System.nanoTime() - restarting) / 1_000_000;
        resumed.terminate();
        assertThat(resumed.finish(60).out()).contains("Bridge stopped.");
        FaultRig.assertWhole(report, stored);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("written", stored);
        figures.put("missing", report.missing());
        figures.put("duplicated", report.duplicated());
        figures.put("out_of_order", report.outOfOrder());
        figures.put("failed_after_ms", failedAfterMs);
        figures.put("recovered_ms", recoveredMs);
        figures.put("seconds", (System.nanoTime() - started) / 1_000_000_000);
        FaultRig.report("login-revoked", figures);
    }
}
