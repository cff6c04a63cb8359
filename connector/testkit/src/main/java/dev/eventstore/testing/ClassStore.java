package dev.eventstore.testing;

import dev.eventstore.EventStore;
import dev.eventstore.EventStoreConfig;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.EventStoreExtension.Database;
import dev.eventstore.testing.EventStoreExtension.Reset;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store of one test class (the outermost, for {@code @Nested} ones): its schema on the run's
 * server, migrated when the class starts, and what the end-to-end mode runs beside it. Closed by
 * JUnit after the class, which drops a generated schema.
 */
final class ClassStore implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClassStore.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** Schemas held by running classes, per server: parallel classes never share one. */
    private static final Map<String, String> CLAIMED = new ConcurrentHashMap<>();

    private final Options options;
    private final EventStore store;
    private final EventStoreConfig config;
    private final String claim;
    private final boolean generated;
    private EndToEndMode.Session session;

    private ClassStore(Options options, EventStore store, EventStoreConfig config, String claim, boolean generated) {
        this.options = options;
        this.store = store;
        this.config = config;
        this.claim = claim;
        this.generated = generated;
    }

    static ClassStore open(ExtensionContext context, Options requested) {
        Options options = requested.resolved(Options.runSettings(System.getenv()));
        Class<?> testClass = context.getRequiredTestClass();
        String name = uniqueName(testClass);
        boolean generated = options.schema() == null;
        SchemaName schema = SchemaName.of(generated ? name : options.schema());
        if (options.database() == Database.CONTAINER) {
            if (!ContainerServer.onClassPath()) {
                throw new ExtensionConfigurationException("the container database needs"
                        + " org.testcontainers:testcontainers-postgresql in test scope");
            }
        }
        DatabaseServer server = options.dataSource() == null ? DatabaseServer.shared(options.database(), options) : null;
        String where = server == null ? "data source " + options.dataSource().getClass().getName() : server.describe();
        String claim = where + "/" + schema.value();
        String holder = CLAIMED.putIfAbsent(claim, testClass.getName());
        if (holder != null) {
            throw new ExtensionConfigurationException("schema " + schema.value() + " on " + where + " is in use by "
                    + holder + ", running in parallel: give each test class its own schema (or none, for a generated one)");
        }
        EventStore store = null;
        try {
            EventStoreConfig config = null;
            if (server == null) {
                store = EventStore.builder(options.dataSource()).schema(schema).build();
            } else {
                config = EventStoreConfig.of(server.settings(), schema)
                        .with(EventStoreConfig.POOL_MAX_SIZE, "8")
                        .with(EventStoreConfig.POOL_MIN_IDLE, "0")
                        .with(EventStoreConfig.APPLICATION_NAME, "eventstore-test");
                store = EventStore.open(config);
            }
            if (generated) {
                store.schemaManager().drop();
            }
            store.migrate();
            if (options.reset() != Reset.NEVER) {
                store.schemaManager().reset();
            }
            ClassStore state = new ClassStore(options, store, config, claim, generated);
            log.debug("Test kit: {} uses schema {} on {}", testClass.getName(), schema.value(), where);
            if (options.endToEnd()) {
                if (config == null) {
                    throw new ExtensionConfigurationException("the end-to-end mode needs a database by server"
                            + " (embedded, container or url), not a DataSource of the test's own");
                }
                state.session = endToEndMode().start(config, name);
            }
            return state;
        } catch (RuntimeException e) {
            if (store != null) {
                store.close();
            }
            CLAIMED.remove(claim);
            throw e;
        }
    }

    /** Why a class with {@code options} cannot run here: the container database without Docker. */
    static Optional<String> skipReason(Options options) {
        if (options.database() == Database.CONTAINER && ContainerServer.onClassPath() && !ContainerServer.dockerAvailable()) {
            return Optional.of("the container database needs Docker, and no Docker daemon answers here");
        }
        return Optional.empty();
    }

    /** The end-to-end mode of the class path (from {@code eventstore-test-kafka}). */
    static EndToEndMode endToEndMode() {
        Iterator<EndToEndMode> modes = ServiceLoader.load(EndToEndMode.class, EventStoreExtension.class.getClassLoader()).iterator();
        if (!modes.hasNext()) {
            throw new ExtensionConfigurationException("the end-to-end mode needs dev.eventstore:eventstore-test-kafka in test scope");
        }
        return modes.next();
    }

    /** {@code <class>_<pid>_<n>}: lower case, within PostgreSQL's 63 characters, unique in the run. */
    private static String uniqueName(Class<?> testClass) {
        String simple = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        String suffix = "_" + ProcessHandle.current().pid() + "_" + SEQUENCE.incrementAndGet();
        int room = 40 - suffix.length();
        String base = simple.length() > room ? simple.substring(0, room) : simple;
        return (Character.isLetter(base.isEmpty() ? '0' : base.charAt(0)) ? base : "t" + base) + suffix;
    }

    EventStore store() {
        return store;
    }

    Optional<EventStoreConfig> config() {
        return Optional.ofNullable(config);
    }

    Object injectable(Class<?> type) {
        if (session == null) {
            throw new ParameterResolutionException("no " + type.getSimpleName() + " to inject: the test class"
                    + " does not run in the end-to-end mode (endToEnd(true))");
        }
        return session.injectable(type);
    }

    void beforeEach() {
        if (options.reset() == Reset.BEFORE_EACH) {
            store.schemaManager().reset();
        }
        if (session != null) {
            session.beforeEach();
        }
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                session.close();
            }
            if (generated) {
                store.schemaManager().drop();
            }
        } finally {
            store.close();
            CLAIMED.remove(claim);
        }
    }
}
