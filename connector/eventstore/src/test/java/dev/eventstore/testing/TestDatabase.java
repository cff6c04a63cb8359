package dev.eventstore.testing;

import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The PostgreSQL server of this test JVM: started once, shared by every test, stopped when the
 * JVM exits. Where {@code EVENTSTORE_TEST_DB_URL} is set ({@code _USER}, {@code _PASSWORD}
 * beside it), tests use that server instead; it must allow logical replication for the bridge's
 * tests.
 */
public final class TestDatabase {

    public static final String ENV_URL = "EVENTSTORE_TEST_DB_URL";
    public static final String ENV_USER = "EVENTSTORE_TEST_DB_USER";
    public static final String ENV_PASSWORD = "EVENTSTORE_TEST_DB_PASSWORD";

    private static TestDatabase instance;

    private final EmbeddedPostgresServer embedded;
    private final ConnectionSettings settings;

    private TestDatabase(EmbeddedPostgresServer embedded, ConnectionSettings settings) {
        this.embedded = embedded;
        this.settings = settings;
    }

    /** The shared server, started on first use. */
    public static synchronized TestDatabase get() {
        if (instance == null) {
            String url = System.getenv(ENV_URL);
            if (url != null && !url.isBlank()) {
                instance = new TestDatabase(null,
                        new ConnectionSettings(url, System.getenv(ENV_USER), System.getenv(ENV_PASSWORD)));
            } else {
                EmbeddedPostgresServer server = EmbeddedPostgresServer.start();
                Runtime.getRuntime().addShutdownHook(new Thread(server::close, "embedded-postgres-stop"));
                instance = new TestDatabase(server,
                        new ConnectionSettings(server.jdbcUrl(), EmbeddedPostgresServer.SUPERUSER, null));
            }
        }
        return instance;
    }

    /** Superuser (or the configured user's) connection settings. */
    public ConnectionSettings settings() {
        return settings;
    }

    public DataSource dataSource() {
        return settings.dataSource();
    }

    /** The embedded server, or {@code null} when tests run against an external one. */
    public EmbeddedPostgresServer embedded() {
        return embedded;
    }

    public Connection connect() throws SQLException {
        return dataSource().getConnection();
    }

    /** Runs SQL statements as the test user, each in its own auto-committed statement. */
    public void execute(String... sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Drops {@code schema}, everything in it and its publication, if they exist. */
    public void dropSchema(String schema) {
        new SchemaManager(dataSource(), SchemaName.of(schema), MigrationSource.builtIn()).drop();
    }
}
