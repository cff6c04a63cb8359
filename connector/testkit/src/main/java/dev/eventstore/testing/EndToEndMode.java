package dev.eventstore.testing;

import dev.eventstore.EventStoreConfig;
import java.util.List;

/**
 * What the extension's end-to-end mode runs beside a test class's store: the artifact
 * {@code dev.eventstore:eventstore-test-kafka} provides it (a Kafka broker and the bridge) through
 * {@link java.util.ServiceLoader}, so this artifact needs neither.
 */
public interface EndToEndMode {

    /** The types of the objects the mode injects into tests (for example its Kafka helper). */
    List<Class<?>> injectableTypes();

    /**
     * Starts, for one test class, what runs beside its store, after the store is migrated.
     *
     * @param config the class's store: its database, credentials and schema
     * @param name a name unique in this JVM and run, usable in slot and topic names (lower-case
     *     letters, digits and underscores)
     */
    Session start(EventStoreConfig config, String name);

    /** What one test class runs; closed after its last test. */
    interface Session extends AutoCloseable {

        /** The object of {@code type} to inject, one of {@link #injectableTypes()}. */
        Object injectable(Class<?> type);

        /** Runs before each test, after the store's reset (when it is reset). */
        default void beforeEach() {
        }

        @Override
        void close();
    }
}
