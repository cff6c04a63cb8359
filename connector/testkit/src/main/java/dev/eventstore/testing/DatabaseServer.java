package dev.eventstore.testing;

import dev.eventstore.jdbc.ConnectionSettings;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A PostgreSQL server the test run shares: started once per JVM on first use, in the root
 * extension context's store, and stopped when the run ends. Each test class gets its own schema
 * on it.
 */
abstract class DatabaseServer implements AutoCloseable {

    /** Where the superuser (or the configured role) connects; it may create schemas and replication slots. */
    abstract ConnectionSettings settings();

    /** What a log line or an error message names the server by (no password). */
    abstract String describe();

    @Override
    public void close() {
    }

    /** The shared server of {@code database}, started on first use in this run. */
    static DatabaseServer shared(ExtensionContext context, EventStoreExtension.Database database, Options options) {
        String key = DatabaseServer.class.getName() + ":" + database + ":" + options.serverKey(database);
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
        Handle handle = store.getOrComputeIfAbsent(key, k -> new Handle(start(database, options)), Handle.class);
        return handle.server;
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

    /** Stops the server when the run ends (JUnit closes the root store's resources then). */
    private record Handle(DatabaseServer server) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            server.close();
        }
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

    static String lower(String value) {
        return value.toLowerCase(Locale.ROOT);
    }
}
