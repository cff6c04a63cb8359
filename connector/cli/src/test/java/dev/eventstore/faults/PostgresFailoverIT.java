package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.admin.Verifier;
import dev.eventstore.cli.Cli;
import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.testing.TestKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL fails over under steady appends: the primary is killed with SIGKILL, its physical
 * streaming standby is promoted, and the virtual address the writers and the bridge use moves to it
 * (a loopback forwarder here; a floating IP, DNS name or proxy in production).
 *
 * <p>The setup is the one docs/operations.md gives for PostgreSQL 17: the bridge's slot is a
 * failover slot, the standby synchronises it ({@code sync_replication_slots},
 * {@code hot_standby_feedback}, {@code primary_slot_name}), the primary holds logical decoding
 * back until the standby has the WAL ({@code synchronized_standby_slots}), and commits wait for the
 * standby ({@code synchronous_standby_names}), so that an acknowledged append survives the loss of
 * the primary. The standby is made from a copy of the stopped primary's data directory (the
 * embedded binaries have no {@code pg_basebackup}).
 */
class PostgresFailoverIT {

    private static final String STANDBY = "standby1";

    private final List<Cli.Child> children = new ArrayList<>();
    private Path primaryData;
    private EmbeddedPostgresServer primary;
    private EmbeddedPostgresServer standby;
    private final List<EmbeddedPostgresServer> servers = new ArrayList<>();
    private VirtualAddress address;
    private FaultRig rig;

    @TempDir
    Path directory;

    @AfterEach
    void cleanUp() throws IOException {
        FaultRig.killAll(children);
        if (rig != null) {
            rig.dropSlot();
        }
        if (address != null) {
            address.close();
        }
        for (EmbeddedPostgresServer server : servers) {
            try {
                server.close();
            } catch (RuntimeException alreadyKilled) {
                // The killed primary cannot be stopped again.
            }
        }
    }

    @Test
    void thePrimaryKilledAndTheStandbyPromotedLosesNothingAndNeedsNoRepublish() throws Exception {
        long started = System.nanoTime();
        startPrimaryAndStandby(true);
        SteadyWriter writer = new SteadyWriter(rig.store, "game", 20, 17L, 20_000,
                Duration.ofSeconds(Soak.size(150, 600)), 40).start();
        Cli.Child bridge = rig.startChild(directory, Map.of());
        children.add(bridge);
        awaitCaughtUp(primary, bridge, "before the failover");

        // The bridge's slot is a failover slot, and the standby has a synchronised copy of it that
        // survives a promotion: the slot sync worker keeps a copy temporary (dropped at promotion)
        // until the standby has the WAL and catalog rows the slot needs.
        assertThat(query(primary, "SELECT failover::text FROM pg_replication_slots WHERE slot_name = '" + rig.slot + "'"))
                .isEqualTo("true");
        long syncStarted = System.nanoTime();
        await().atMost(FaultRig.TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> "true".equals(query(standby, "SELECT (synced AND failover AND NOT temporary)::text FROM pg_replication_slots"
                        + " WHERE slot_name = '" + rig.slot + "'")));
        long slotSyncedMs = (System.nanoTime() - syncStarted) / 1_000_000;
        Cli.Result status = rig.cli(Map.of()).run("status");
        assertThat(status.out()).as(status.all())
                .contains("failover: failover slot; logical decoding waits for standby slots " + STANDBY + " (active)");
        long publishedBefore = rig.records().size();

        // The primary is lost; the standby is promoted; the address moves.
        long writtenBefore = writer.acknowledgedEvents();
        long failedAt = System.nanoTime();
        failOver();
        long promotedMs = (System.nanoTime() - failedAt) / 1_000_000;

        // Writers and the bridge reach the new primary by themselves and carry on.
        await().atMost(FaultRig.TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> writer.acknowledgedEvents() > writtenBefore + 20);
        awaitCaughtUp(standby, bridge, "after the failover");
        long recoveredMs = (System.nanoTime() - failedAt) / 1_000_000;
        assertThat(bridge.isAlive()).as("the bridge carries on: " + bridge.errSoFar()).isTrue();

        writer.close();
        long stored = writer.assertAcknowledgedPresent();
        Verifier.Report report = rig.verify();
        assertThat(bridge.isAlive()).as(bridge.errSoFar()).isTrue();
        bridge.terminate();
        assertThat(bridge.finish(60).out()).contains("Bridge stopped.");
        FaultRig.assertWhole(report, stored);
        assertThat(bridge.errSoFar()).as("no republish is asked for").doesNotContain("eventstore republish");
        // Duplicates: what the bridge published after the standby's copy of the slot and its offsets
        // last moved. The slot sync worker naps at most 30 s between copies: at 40 events/s, 1,200.
        assertThat(report.duplicated()).as("duplicates within the slot sync bound").isLessThanOrEqualTo(40L * 30);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("written", stored);
        figures.put("missing", report.missing());
        figures.put("duplicated", report.duplicated());
        figures.put("out_of_order", report.outOfOrder());
        figures.put("published_before_failover", publishedBefore);
        figures.put("slot_synced_ms", slotSyncedMs);
        figures.put("promoted_ms", promotedMs);
        figures.put("recovered_ms", recoveredMs);
        figures.put("seconds", (System.nanoTime() - started) / 1_000_000_000);
        FaultRig.report("postgres-failover", figures);
    }

    @Test
    void aSlotTheStandbyHadNotSynchronisedIsDetectedAndTheAdvisedRepublishMissesNothing() throws Exception {
        long started = System.nanoTime();
        // A standby that does not synchronise slots: the failover finds no copy of the bridge's slot.
        startPrimaryAndStandby(false);
        SteadyWriter writer = new SteadyWriter(rig.store, "game", 20, 23L, 20_000,
                Duration.ofSeconds(Soak.size(150, 600)), 40).start();
        Cli.Child bridge = rig.startChild(directory, Map.of());
        children.add(bridge);
        awaitCaughtUp(primary, bridge, "before the failover");

        String copy = query(standby, "SELECT slot_name FROM pg_replication_slots WHERE slot_name = '" + rig.slot + "'");
        assertThat(copy).as("the standby has no copy of the slot").isNull();
        long failedAt = System.nanoTime();
        failOver();

        // The bridge finds its slot gone on the new primary and stops; its next start names the recovery.
        Cli.Result stopped = FaultRig.awaitExit(bridge, FaultRig.TIMEOUT);
        long detectedMs = (System.nanoTime() - failedAt) / 1_000_000;
        assertThat(stopped.exitCode()).as(stopped.all()).isEqualTo(1);
        List<String> lines = stopped.err().lines().toList();
        assertThat(lines.get(lines.size() - 1)).as(stopped.all()).startsWith("eventstore: bridge stopped: ").contains(rig.slot);
        Cli.Result refused = rig.cli(Map.of()).run("run");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(1);
        Matcher from = Pattern.compile("republish --from-event-id (\\d+)").matcher(refused.err());
        assertThat(from.find()).as("the refusal names the republish: " + refused.all()).isTrue();
        writer.close();
        long stored = writer.assertAcknowledgedPresent();

        Cli.Result republished = rig.cli(Map.of()).run("republish", "--from-event-id", from.group(1));
        assertThat(republished.exitCode()).as(republished.all()).isZero();
        Cli.Child recovered = rig.cli(Map.of("snapshot.mode", "no_data")).start(directory, "run", "--reset-offsets");
        children.add(recovered);
        await().atMost(FaultRig.TIMEOUT).until(() -> recovered.outSoFar().contains(" publishing ") || !recovered.isAlive());
        assertThat(recovered.isAlive()).as(recovered.outSoFar() + recovered.errSoFar()).isTrue();
        Verifier.Report report = rig.verify();
        recovered.terminate();
        recovered.finish(60);
        FaultRig.assertWhole(report, stored);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("written", stored);
        figures.put("missing", report.missing());
        figures.put("duplicated", report.duplicated());
        figures.put("out_of_order", report.outOfOrder());
        figures.put("stopped_after_failover_ms", detectedMs);
        figures.put("seconds", (System.nanoTime() - started) / 1_000_000_000);
        FaultRig.report("postgres-failover-slot-not-synchronised", figures);
    }

    /**
     * A primary and its physical streaming standby, set up as docs/operations.md says; returns once
     * the standby streams.
     */
    private void startPrimaryAndStandby(boolean syncSlots) throws Exception {
        primaryData = directory.resolve("primary");
        Path standbyData = directory.resolve("standby");

        // The primary with a physical slot for its standby, stopped cleanly so that it can be copied.
        primary = EmbeddedPostgresServer.start(primaryData, 0, Map.of());
        int primaryPort = primary.port();
        execute(primary, "SELECT pg_create_physical_replication_slot('" + STANDBY + "')");
        primary.close();
        copy(primaryData, standbyData);
        Files.writeString(standbyData.resolve("standby.signal"), "");
        appendSettings(standbyData,
                "primary_conninfo = 'host=127.0.0.1 port=" + primaryPort + " user=" + EmbeddedPostgresServer.SUPERUSER
                        + " dbname=" + EmbeddedPostgresServer.DEFAULT_DATABASE + " application_name=" + STANDBY + "'",
                "primary_slot_name = '" + STANDBY + "'",
                "hot_standby_feedback = on",
                "sync_replication_slots = " + (syncSlots ? "on" : "off"));
        appendSettings(primaryData,
                "synchronized_standby_slots = '" + STANDBY + "'",
                "synchronous_standby_names = '" + STANDBY + "'");
        primary = EmbeddedPostgresServer.start(primaryData, primaryPort, Map.of());
        servers.add(primary);
        standby = EmbeddedPostgresServer.start(standbyData, 0, Map.of());
        servers.add(standby);
        EmbeddedPostgresServer primaryServer = primary;
        await().atMost(FaultRig.TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> "streaming".equals(query(primaryServer,
                        "SELECT state FROM pg_stat_replication WHERE application_name = '" + STANDBY + "'")));


        // Writers and the bridge connect through one address that a failover moves.
        address = new VirtualAddress(primary.port());
        ConnectionSettings database = new ConnectionSettings("jdbc:postgresql://127.0.0.1:" + address.port() + "/"
                + EmbeddedPostgresServer.DEFAULT_DATABASE, EmbeddedPostgresServer.SUPERUSER, null);
        rig = new FaultRig(database, TestKafka.bootstrapServers());
    }

    /** SIGKILL to the primary's postmaster, the standby promoted, the address moved to it. */
    private void failOver() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(primaryData.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        postmaster.destroyForcibly();
        postmaster.onExit().get(30, TimeUnit.SECONDS);
        servers.remove(primary);
        assertThat(query(standby, "SELECT pg_promote(true, 60)::text")).isEqualTo("true");
        address.switchTo(standby.port());
    }

    /** Waits until the bridge has confirmed everything written so far, or fails with what the server shows. */
    private void awaitCaughtUp(EmbeddedPostgresServer server, Cli.Child bridge, String when) throws SQLException {
        try {
            rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);
        } catch (RuntimeException e) {
            String log = bridge.errSoFar();
            throw new AssertionError("the bridge did not catch up " + when + "; slots: "
                    + query(server, "SELECT string_agg(slot_name || ' ' || slot_type || ' active=' || active || ' failover='"
                    + " || failover || ' synced=' || synced || ' confirmed=' || coalesce(confirmed_flush_lsn::text, '-')"
                    + " || ' restart=' || coalesce(restart_lsn::text, '-'), '; ') FROM pg_replication_slots")
                    + "; current " + query(server, "SELECT pg_current_wal_lsn()::text")
                    + "; replication: " + query(server, "SELECT string_agg(application_name || ' ' || state || ' '"
                    + " || sync_state || ' flush=' || coalesce(flush_lsn::text, '-'), '; ') FROM pg_stat_replication")
                    + "; bridge alive " + bridge.isAlive() + ", its log: " + log.substring(Math.max(0, log.length() - 6000)), e);
        }
    }

    private static void execute(EmbeddedPostgresServer server, String sql) throws SQLException {
        try (Connection connection = server.connect(EmbeddedPostgresServer.DEFAULT_DATABASE);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The first column of the first row, or {@code null} when there is none. */
    private static String query(EmbeddedPostgresServer server, String sql) throws SQLException {
        try (Connection connection = server.connect(EmbeddedPostgresServer.DEFAULT_DATABASE);
             PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet rs = statement.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void appendSettings(Path data, String... lines) throws IOException {
        Files.writeString(data.resolve("postgresql.auto.conf"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
    }

    /** Copies a stopped cluster's data directory (without its lock file). */
    private static void copy(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Path copy = Files.createDirectories(to.resolve(from.relativize(dir)));
                // PostgreSQL refuses a data directory others may read.
                Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(dir));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (!file.getFileName().toString().equals("postmaster.pid")) {
                    Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
