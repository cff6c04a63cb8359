package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeException;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;

/**
 * What the backup and restore tests share around the restore itself ({@link BackupRestoreIT}
 * with a COPY dump, {@link PgDumpRestoreIT} with pg_dump and pg_restore): before the backup, a
 * bridge that published 30 events and then stopped while 10 more were committed; after the
 * restore, the bridge's refusal, the republish it advises, {@code verify}, and the bridge
 * resuming from the slot its refusal created. Holds the bridge it starts; {@link #close()} stops it.
 */
final class BackupRestoreScenario implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String schema;
    private final String topics;
    private EventBridge bridge;

    /**
     * @param schema the event store schema on both servers
     * @param topics the test's topics, as a consumer subscription pattern
     */
    BackupRestoreScenario(String schema, String topics) {
        this.schema = schema;
        this.topics = topics;
    }

    static EventBridge startBridge(Map<String, String> environment, boolean resetOffsets) throws Exception {
        EventBridge started = EventBridge.start(BridgeConfig.load(new Properties(), environment), resetOffsets);
        started.ready().get(60, TimeUnit.SECONDS);
        return started;
    }

    static void append(EventStore store, String stream, int count) {
        for (int i = 0; i < count; i++) {
            store.append(stream, ExpectedVersion.ANY, EventData.of("Tick", "{\"i\":" + i + "}"));
        }
    }

    static long single(DataSource dataSource, String query) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The original server before its backup: the bridge publishes 30 events (game-1, game-2,
     * player-1), its monitor loop proves Kafka acknowledged all of them, it stops; then 10 events
     * are committed (game-2, player-1) that it never publishes.
     *
     * @param environment the bridge's EVENTSTORE_* settings on the original server
     * @param store appends as a game server would
     * @param admin reads the schema whatever the bridge's role may (a superuser)
     * @return the id of the last event the bridge published
     */
    long publishThenStopTheBridge(Map<String, String> environment, EventStore store, DataSource admin) throws Exception {
        bridge = startBridge(environment, false);
        append(store, "game-1", 10);
        append(store, "game-2", 10);
        append(store, "player-1", 10);
        TestKafka.readUntil(topics, r -> r.size() >= 30, TIMEOUT);
        // The bridge's monitor loop proves that Kafka acknowledged every event up to id 30.
        long lastId = single(admin, "SELECT max(event_id) FROM " + schema + ".events");
        Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> single(admin,
                "SELECT coalesce(max(published_below_event_id), 0) FROM " + schema + ".cdc_checkpoints") > lastId);
        bridge.close();
        bridge = null;

        // Committed but never published: the bridge is down, then the server is lost. The backup
        // is taken after these commits.
        append(store, "game-2", 5);
        append(store, "player-1", 5);
        return lastId;
    }

    /**
     * The restored server (40 events, the bridge's offsets and checkpoint from the original):
     * the bridge refuses, twice, naming the exact republish; game servers append 2 events
     * (game-3); the advised republish runs, then {@code verify} finds nothing missing; the bridge
     * resumes with --reset-offsets and snapshot.mode=no_data, streams from the slot its refusal
     * created (game-3 twice, then game-4), and its checkpoint is this server's.
     *
     * @param environment the bridge's EVENTSTORE_* settings on the restored server
     * @param store appends on the restored server as a game server would
     * @param admin reads the schema whatever the bridge's role may (a superuser)
     * @param lastId what {@link #publishThenStopTheBridge} returned
     */
    void refuseRepublishVerifyAndResume(Map<String, String> environment, EventStore store, DataSource admin, long lastId)
            throws Exception {
        // The bridge refuses and names the exact republish.
        String slot = environment.get("EVENTSTORE_SLOT_NAME");
        String expected = "`eventstore republish --from-event-id " + (lastId + 1)
                + (schema.equals(SchemaName.DEFAULT) ? "" : " --schema " + schema) + "`";
        assertThatThrownBy(() -> startBridge(environment, false))
                .isInstanceOf(BridgeException.class)
                .hasMessageStartingWith("bridge " + environment.get("EVENTSTORE_BRIDGE_NAME") + " cannot resume: its"
                        + " offsets in " + schema + ".cdc_offsets were written on another PostgreSQL server")
                .hasMessageContaining("Kafka acknowledged every event with an id below " + (lastId + 1))
                .hasMessageContaining("Replication slot " + slot + " was created now")
                .hasMessageContaining("Run " + expected)
                .hasMessageContaining("--reset-offsets and snapshot.mode=no_data");
        // Every start refuses the same way until the operator has done what it says.
        String advice;
        try {
            startBridge(environment, false);
            throw new AssertionError("the bridge started on a restored store");
        } catch (BridgeException refused) {
            advice = refused.getMessage();
            assertThat(advice).contains("Run " + expected, "Replication slot " + slot + " exists");
        }
        // Game servers append meanwhile: the new slot keeps these for the bridge.
        append(store, "game-3", 2);

        // Run exactly the advised command, then verify.
        Matcher command = Pattern.compile("Run `eventstore ([^`]+)`").matcher(advice);
        assertThat(command.find()).isTrue();
        Cli cli = new Cli();
        environment.forEach(cli::with);
        Cli.Result republished = cli.run(command.group(1).split(" "));
        assertThat(republished.exitCode()).as(republished.all()).isZero();
        assertThat(republished.out()).startsWith("Republished 12 events (events from id " + (lastId + 1) + ")");
        Cli.Result verified = cli.run("verify", "--wait", "PT5S");
        assertThat(verified.exitCode()).as(verified.all()).isZero();
        assertThat(verified.out()).contains("Checked 42 stored events in 4 streams against 42 records",
                "missing            0", "duplicated         0", "OK: Kafka holds every stored event");

        // The bridge resumes from the slot its refusal created, without a snapshot: what was
        // appended since the refusal arrives again (recognisable duplicates), nothing else.
        Map<String, String> resume = new HashMap<>(environment);
        resume.put("EVENTSTORE_SNAPSHOT_MODE", "no_data");
        bridge = startBridge(resume, true);
        append(store, "game-4", 3);
        List<ConsumerRecord<String, byte[]>> records =
                TestKafka.readUntil(topics, r -> r.stream().filter(x -> x.key().equals("game-4")).count() >= 3, TIMEOUT);
        assertThat(records.stream().filter(r -> r.key().equals("game-3")).count()).isEqualTo(4);
        Cli.Result whole = cli.run("verify", "--wait", "PT30S");
        assertThat(whole.exitCode()).as(whole.all()).isZero();
        assertThat(whole.out()).contains("Checked 45 stored events in 5 streams against 47 records",
                "missing            0", "duplicated         2");
        assertThat(TestKafka.readToEnd(topics, 47, TIMEOUT)).hasSize(47);
        // The checkpoint now belongs to the new server.
        Awaitility.await().atMost(TIMEOUT).until(() -> single(admin, "SELECT count(*) FROM " + schema
                + ".cdc_checkpoints c, pg_control_system() p WHERE c.system_identifier = p.system_identifier"
                + " AND c.recovery_reason IS NULL") == 1);
    }

    @Override
    public void close() {
        if (bridge != null) {
            bridge.close();
            bridge = null;
        }
    }
}
