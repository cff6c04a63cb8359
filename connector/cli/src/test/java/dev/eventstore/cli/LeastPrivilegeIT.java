package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each role can do its job and nothing more: every forbidden operation fails with SQLSTATE 42501
 * (insufficient privilege), and the bridge runs as its CDC role, never a superuser.
 */
class LeastPrivilegeIT {

    static final String SCHEMA = "security_it";
    static final String PASSWORD = "role-Pa55word";

    private static final TestDatabase database = TestDatabase.get();

    @BeforeAll
    static void migrateAndCreateLogins() {
        Assumptions.assumeTrue(database.embedded() != null, "creates roles: only on the embedded server");
        database.dropSchema(SCHEMA);
        new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        EmbeddedPostgresServer server = database.embedded();
        server.createRole("sec_writer", PASSWORD);
        server.createRole("sec_reader", PASSWORD);
        server.createRole("sec_bridge", PASSWORD, "REPLICATION");
        server.createRole("sec_nobody", PASSWORD);
        database.execute("GRANT security_it_writer TO sec_writer", "GRANT security_it_reader TO sec_reader",
                "GRANT security_it_cdc TO sec_bridge");
    }

    private static DataSource as(String role) {
        return new ConnectionSettings(database.settings().url(), role, PASSWORD).dataSource();
    }

    private static EventStore storeAs(String role) {
        return EventStore.builder(as(role)).schema(SchemaName.of(SCHEMA)).build();
    }

    private static void assertForbidden(String role, String sql) {
        assertThatThrownBy(() -> {
            try (Connection connection = as(role).getConnection(); Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }).as(role + ": " + sql).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(e.getMessage()).isEqualTo("42501"));
    }

    @Test
    void writerAppendsAndReadsButNeverChangesEvents() {
        EventStore writer = storeAs("sec_writer");
        writer.append("game-w", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        assertThat(writer.readStreamForward("game-w", 1, 10)).hasSize(1);
        writer.subscriptions().recordPosition("leaderboard", "game-w", 1, 1, null);

        assertForbidden("sec_writer", "UPDATE security_it.events SET event_type = 'Forged'");
        assertForbidden("sec_writer", "DELETE FROM security_it.events");
        assertForbidden("sec_writer", "TRUNCATE security_it.events");
        assertForbidden("sec_writer", "CREATE TABLE security_it.intruder (id int)");
        assertForbidden("sec_writer", "SELECT security_it.grant_roles()");
        assertForbidden("sec_writer", "SELECT security_it.grant_roles_v6()");
        assertForbidden("sec_writer", "SELECT security_it.grant_roles_v7()");
        assertForbidden("sec_writer", "INSERT INTO security_it.audit_log (command) VALUES ('forged')");
    }

    @Test
    void bridgeRoleAddsAuditRowsButCannotReadOrChangeThem() throws SQLException {
        // republish and replay run with the bridge's login and record themselves in audit_log.
        try (Connection connection = as("sec_bridge").getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("INSERT INTO security_it.audit_log (command) VALUES ('republish')"
                     + " RETURNING audit_id")) {
            assertThat(rs.next()).isTrue();
        }
        assertForbidden("sec_bridge", "SELECT command FROM security_it.audit_log");
        assertForbidden("sec_bridge", "UPDATE security_it.audit_log SET command = 'forged'");
        assertForbidden("sec_bridge", "DELETE FROM security_it.audit_log");
    }

    @Test
    void readerOnlyReads() {
        storeAs("sec_writer").append("game-r", ExpectedVersion.ANY, EventData.of("GameStarted", "{}"));
        assertThat(storeAs("sec_reader").readStreamForward("game-r", 1, 10)).isNotEmpty();

        assertThatThrownBy(() -> storeAs("sec_reader").append("game-r", ExpectedVersion.ANY, EventData.of("Forged", "{}")))
                .satisfies(e -> assertThat(PostgresErrors.sqlCause(e).getSQLState()).isEqualTo("42501"));
        assertForbidden("sec_reader", "INSERT INTO security_it.event_streams (stream_id) VALUES ('forged')");
        assertForbidden("sec_reader", "UPDATE security_it.subscriptions SET last_seen_stream_version = 0");
        assertForbidden("sec_reader", "CREATE TABLE security_it.intruder (id int)");
    }

    @Test
    void publicHasNoAccessAtAll() {
        assertForbidden("sec_nobody", "SELECT * FROM security_it.events");
        assertForbidden("sec_nobody", "CREATE TABLE security_it.intruder (id int)");
        assertForbidden("sec_nobody", "SELECT security_it.read_all_forward(0, 10)");
    }

    @Test
    void bridgeRunsAsItsCdcRoleAndMayNotWriteEvents() throws Exception {
        assertForbidden("sec_bridge", "INSERT INTO security_it.event_streams (stream_id) VALUES ('forged')");
        assertForbidden("sec_bridge", "DELETE FROM security_it.events");

        String prefix = "sec" + System.nanoTime();
        Map<String, Object> config = new HashMap<>();
        config.put(BridgeConfig.Key.DB_URL, database.settings().url());
        config.put(BridgeConfig.Key.DB_USER, "sec_bridge");
        config.put(BridgeConfig.Key.DB_PASSWORD, PASSWORD);
        config.put(BridgeConfig.Key.SCHEMA, SCHEMA);
        config.put(BridgeConfig.Key.SLOT_NAME, "security_it_" + prefix);
        config.put(BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, TestKafka.bootstrapServers());
        config.put(BridgeConfig.Key.HTTP_PORT, -1);
        config.put("topic.prefix", prefix);
        EventBridge bridge = EventBridge.start(new BridgeConfig(config), false);
        try {
            bridge.ready().get(60, TimeUnit.SECONDS);
            storeAs("sec_writer").append("game-cdc", ExpectedVersion.ANY, EventData.of("GameStarted", "{}"));
            TestKafka.readUntil(java.util.regex.Pattern.quote(prefix) + "\\..*",
                    r -> r.stream().anyMatch(x -> "game-cdc".equals(x.key())), Duration.ofSeconds(60));
        } finally {
            bridge.close();
            database.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name = 'security_it_" + prefix + "' AND NOT active");
        }
    }

    @Test
    void noSecurityDefinerFunctionLeavesItsSearchPathOpen() throws SQLException {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                     + " WHERE n.nspname = 'security_it' AND p.prosecdef"
                     + " AND NOT coalesce(array_to_string(p.proconfig, ',') LIKE '%search_path=%', false)")) {
            assertThat(rs.next()).as("a SECURITY DEFINER function without a pinned search_path").isFalse();
        }
    }

    @Test
    void rolesCommandCreatesAndGrantsIdempotently() {
        Cli cli = new Cli().with(ConnectionSettings.ENV_URL, database.settings().url())
                .with(ConnectionSettings.ENV_USER, database.settings().user())
                .with(DatabaseOptions.ENV_SCHEMA, SCHEMA);
        for (int run = 0; run < 2; run++) {
            Cli.Result result = cli.run("roles");
            assertThat(result.exitCode()).as(result.all()).isZero();
            assertThat(result.out()).startsWith("Group roles security_it_reader, security_it_writer and security_it_cdc exist");
        }
        Cli.Result refused = new Cli().with(ConnectionSettings.ENV_URL, database.settings().url())
                .with(ConnectionSettings.ENV_USER, "sec_writer").with(ConnectionSettings.ENV_PASSWORD, PASSWORD)
                .with(DatabaseOptions.ENV_SCHEMA, SCHEMA).run("roles");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.err()).startsWith("eventstore: cannot create the roles: permission denied");
    }
}
