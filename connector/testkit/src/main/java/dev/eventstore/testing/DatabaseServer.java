package dev.eventstore.testing;

import dev.eventstore.jdbc.ConnectionSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A PostgreSQL server the test JVM shares: started on first use, stopped when the JVM exits
 * (also when a test launches JUnit again inside the run, as a test of an extension does). Each
 * test class gets its own schema on it.
 */
abstract class DatabaseServer implements AutoCloseable {

    /** Where the superuser (or the configured role) connects; it may create schemas and replication slots. */
    abstract ConnectionSettings settings();

    /** What a log line or an error message names the server by (no password). */
    abstract String describe();

    @Override
    public void close() {
    }

    private static final Map<String, DatabaseServer> SERVERS = new ConcurrentHashMap<>();

    /** The shared server of {@code database}, started on first use in this JVM. */
    static DatabaseServer shared(EventStoreExtension.Database database, Options options) {
        return SERVERS.computeIfAbsent(database + ":" + options.serverKey(database), key -> {
            DatabaseServer server = start(database, options);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "eventstore-test-database-stop"));
            return server;
        });
    }

    private static DatabaseServer start(EventStoreExtension.Database database, Options options) {
        return switch (database) {
            case EMBEDDED, DEFAULT -> EmbeddedServer.start();
            case CONTAINER -> ContainerServer.start(options.image());
            case URL -> new UrlServer(options.connection());
        };
    }

    /** The settings every server is started with: what the end-to-end mode's bridge needs. */
    static Map<String, String> settingsForChangeDataCapture() {
        return Map.of(
                "wal_level", "logical",
                "max_replication_slots", "20",
                "max_wal_senders", "20",
                "max_connections", "300",
                "timezone", "UTC",
                "fsync", "off",
                "full_page_writes", "off");
    }

    /** An existing server, by URL: nothing to start or stop. */
    private static final class UrlServer extends DatabaseServer {
        private final ConnectionSettings settings;

        UrlServer(ConnectionSettings settings) {
            this.settings = settings;
        }

        @Override
        ConnectionSettings settings() {
            return settings;
        }

        @Override
        String describe() {
            return settings.displayUrl();
        }
    }

}
