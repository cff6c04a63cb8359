package dev.eventstore.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.eventstore.cli.Progress;
import dev.eventstore.embedded.EmbeddedKafkaBroker;
import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.Driver;

/**
 * The servers of one run: an embedded PostgreSQL and Kafka broker started for it (the default),
 * or the servers the command line names. Every subject of every workload runs on the same
 * PostgreSQL server and the same broker.
 */
final class BenchServers implements AutoCloseable {

    /** The database the event store, its raw copy and the scale workload use on an embedded server. */
    static final String EMBEDDED_DATABASE = "eventstore_bench";
    /** message-db's own database on the same server. */
    static final String MESSAGE_DB_DATABASE = "eventstore_bench_message_db";

    private static final Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/?]*/)([^?]*)(\\?.*)?$");
    /** Every connection of the benchmark: UTC sessions (as the library's pool) and no statement runs away. */
    private static final String SESSION_OPTIONS = "-c statement_timeout=300000";

    private final EmbeddedPostgresServer postgres;
    private final EmbeddedKafkaBroker kafka;
    private final ConnectionSettings store;
    private final String bootstrapServers;

    private BenchServers(EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka, ConnectionSettings store,
                         String bootstrapServers) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.store = store;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts what is not given: {@code database} {@code null} starts an embedded PostgreSQL,
     * {@code bootstrap} {@code null} an embedded broker.
     */
    static BenchServers start(ConnectionSettings database, String bootstrap, Progress progress) {
        EmbeddedPostgresServer postgres = null;
        EmbeddedKafkaBroker kafka = null;
        try {
            ConnectionSettings store = database;
            if (store == null) {
                progress.phase("starting embedded PostgreSQL");
                // Fewer checkpoints during the large fills; the same for every subject.
                postgres = EmbeddedPostgresServer.start(null, Map.of("max_wal_size", "4GB"));
                postgres.createDatabase(EMBEDDED_DATABASE);
                store = new ConnectionSettings(postgres.jdbcUrl(EMBEDDED_DATABASE), EmbeddedPostgresServer.SUPERUSER, null);
            }
            String servers = bootstrap;
            if (servers == null) {
                progress.phase("starting embedded Kafka");
                kafka = EmbeddedKafkaBroker.start(Map.of());
                servers = kafka.bootstrapServers();
            }
            return new BenchServers(postgres, kafka, store, servers);
        } catch (RuntimeException e) {
            if (kafka != null) {
                kafka.close();
            }
            if (postgres != null) {
                postgres.close();
            }
            throw e;
        }
    }

    boolean embeddedPostgres() {
        return postgres != null;
    }

    boolean embeddedKafka() {
        return kafka != null;
    }

    /** The database of the event store (and its raw copy). */
    ConnectionSettings store() {
        return store;
    }

    /** Another database on the same server, with the same credentials and URL parameters. */
    ConnectionSettings database(String name) {
        return new ConnectionSettings(withDatabase(store.url(), name), store.user(), store.password());
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code jdbc:postgresql://h:p/db?x=y} with {@code db} replaced. */
    static String withDatabase(String url, String database) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("cannot read the database name of " + dev.eventstore.jdbc.PostgresErrors.mask(url));
        }
        return m.group(1) + database + (m.group(3) == null ? "" : m.group(3));
    }

    /**
     * The environment psql and createdb need to reach the same server as the same role
     * (PGHOST, PGPORT, PGUSER, PGPASSWORD and the TLS settings of the URL).
     */
    Map<String, String> libpqEnvironment() {
        Properties parsed = Driver.parseURL(store.url(), null);
        Map<String, String> env = new LinkedHashMap<>();
        if (parsed == null) {
            return env;
        }
        env.put("PGHOST", parsed.getProperty("PGHOST", "localhost").split(",")[0]);
        env.put("PGPORT", parsed.getProperty("PGPORT", "5432").split(",")[0]);
        String user = store.user() != null ? store.user() : parsed.getProperty("user");
        if (user != null) {
            env.put("PGUSER", user);
        }
        String password = store.password() != null ? store.password() : parsed.getProperty("password");
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        if (parsed.getProperty("sslmode") != null) {
            env.put("PGSSLMODE", parsed.getProperty("sslmode"));
        }
        if (parsed.getProperty("sslrootcert") != null) {
            env.put("PGSSLROOTCERT", parsed.getProperty("sslrootcert"));
        }
        return env;
    }

    /**
     * A pool for the benchmark's own statements and the library: every subject of a workload takes
     * its connections from a pool like this one (same size, same session settings).
     */
    static HikariDataSource pool(String name, ConnectionSettings settings, int size, String searchPath) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("bench-" + name);
        hikari.setJdbcUrl(settings.url());
        if (settings.user() != null) {
            hikari.setUsername(settings.user());
        }
        if (settings.password() != null) {
            hikari.setPassword(settings.password());
        }
        hikari.setMaximumPoolSize(size);
        hikari.setMinimumIdle(size);
        hikari.setConnectionTimeout(30_000);
        hikari.setConnectionInitSql(SqlResource.load("session_init"));
        hikari.addDataSourceProperty("ApplicationName", "eventstore-bench");
        hikari.addDataSourceProperty("options",
                SESSION_OPTIONS + (searchPath == null ? "" : " -c search_path=" + searchPath));
        return new HikariDataSource(hikari);
    }

    /** The server's version and the settings that bear on the figures. */
    Map<String, String> serverSettings() throws SQLException {
        Map<String, String> settings = new LinkedHashMap<>();
        try (Connection connection = store.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(BenchSql.SERVER_SETTINGS)) {
            rs.next();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                settings.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
            }
        }
        return settings;
    }

    /** Drops {@code database} if it exists (connected to the server's maintenance database). */
    void dropDatabase(String database) throws SQLException {
        try (Connection connection = database("postgres").dataSource().getConnection()) {
            boolean exists;
            try (PreparedStatement statement = connection.prepareStatement(BenchSql.DATABASE_EXISTS)) {
                statement.setString(1, database);
                try (ResultSet rs = statement.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (exists) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("DROP DATABASE \"" + database.replace("\"", "\"\"") + "\"");
                }
            }
        }
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
