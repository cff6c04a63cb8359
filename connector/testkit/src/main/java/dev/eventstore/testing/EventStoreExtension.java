package dev.eventstore.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.AppendResult;
import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.EventStore;
import dev.eventstore.EventStoreConfig;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.StoreCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A migrated event store for each test class, emptied before each test, for an application's
 * tests, with the helpers {@code createTestEvent} and {@code createTestStream}.
 *
 * <pre>{@code
 * @ExtendWith(EventStoreExtension.class)
 * class GameTest {
 *     @Test
 *     void appendsAndReads(EventStore store) {
 *         createTestStream("game-1", List.of(createTestEvent("GameStarted", Map.of("mode", "race"))));
 *         assertThat(store.readStreamForward("game-1", 1, 10)).hasSize(1);
 *     }
 * }
 * }</pre>
 *
 * <p>Options, with {@code @RegisterExtension static final EventStoreExtension STORE =
 * EventStoreExtension.builder()...build();} or with {@link EventStoreTest @EventStoreTest(...)}:
 * <ul>
 *   <li>database: {@link Database#EMBEDDED} (the default: a PostgreSQL in a child process, no
 *       Docker), {@link Database#CONTAINER} (Testcontainers' {@code PostgreSQLContainer} of a pinned
 *       image; the test class is skipped, with one line saying why, where Docker is absent), or
 *       {@link Database#URL} (an existing server); or {@code dataSource(...)}: a data source of the
 *       test's own;</li>
 *   <li>schema: one of the class's own; unset, a generated name unique in the run, dropped after
 *       the class. Classes running in parallel never share a schema: asking for one that another
 *       running class holds fails. The tests of one class share its store and its reset, so they
 *       run one at a time (JUnit's default within a class);</li>
 *   <li>reset: {@link Reset#BEFORE_EACH} (the default), {@link Reset#BEFORE_ALL} or
 *       {@link Reset#NEVER};</li>
 *   <li>end to end: an embedded Kafka broker and the bridge beside the store (add
 *       {@code dev.eventstore:eventstore-test-kafka}).</li>
 * </ul>
 * A class that leaves the database open takes the run's: system property
 * {@code eventstore.test.database} ({@code embedded}, {@code container}, {@code url}), else the
 * environment variable {@code EVENTSTORE_TEST_DATABASE}; likewise {@code eventstore.test.db.url},
 * {@code .db.user}, {@code .db.password} ({@code EVENTSTORE_TEST_DB_URL}, ...; a URL alone selects
 * {@code url}) and {@code eventstore.test.image}. Each server is started once per test JVM and
 * stopped when the JVM exits.
 *
 * <p>Injected into test constructors and methods: {@link EventStore}, {@link DataSource},
 * {@link EventStoreConfig} (not with a data source of the test's own), {@link SchemaName}, and the
 * end-to-end mode's helpers.
 */
public final class EventStoreExtension implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    /** Where the store's PostgreSQL comes from. */
    public enum Database {
        /** The run's choice ({@code eventstore.test.database}), else {@link #EMBEDDED}. */
        DEFAULT,
        /** A PostgreSQL in a child process of the test JVM, from zonky's binaries; no Docker. */
        EMBEDDED,
        /** A Testcontainers {@code PostgreSQLContainer}; needs Docker and {@code org.testcontainers:testcontainers-postgresql}. */
        CONTAINER,
        /** An existing server, by JDBC URL; its role must be able to create schemas. */
        URL
    }

    /** When the store is emptied (every event, stream and subscription deleted). */
    public enum Reset {
        /** Before each test. */
        BEFORE_EACH,
        /** Once, before the class's first test. */
        BEFORE_ALL,
        /** Never: a named schema keeps what earlier runs left. */
        NEVER
    }

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(EventStoreExtension.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The store of the test running on this thread, for the static helpers. */
    private static final ThreadLocal<ClassStore> CURRENT = new ThreadLocal<>();

    private final Options options;
    private volatile ClassStore last;

    /** Default options, or those of the test class's {@link EventStoreTest} annotation. */
    public EventStoreExtension() {
        this(null);
    }

    private EventStoreExtension(Options options) {
        this.options = options;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ JUnit callbacks

    /** Skips a class that asks for the container database where no Docker daemon answers. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isPresent() || context.getTestClass().isEmpty()) {
            return ConditionEvaluationResult.enabled(null);
        }
        return ClassStore.skipReason(options(context).resolved(Options.runSettings(System.getenv())))
                .map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled(null));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        state(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ClassStore state = state(context);
        context.getStore(NAMESPACE).put(Previous.class, new Previous(CURRENT.get()));
        CURRENT.set(state);
        state.beforeEach();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Previous previous = context.getStore(NAMESPACE).remove(Previous.class, Previous.class);
        if (previous == null || previous.state == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous.state);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == EventStore.class || type == DataSource.class || type == EventStoreConfig.class
                || type == SchemaName.class) {
            return true;
        }
        Options resolved = options(context);
        return resolved.endToEnd() && ClassStore.endToEndMode().injectableTypes().contains(type);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ClassStore state = state(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == EventStore.class) {
            return state.store();
        } else if (type == DataSource.class) {
            return state.store().dataSource();
        } else if (type == SchemaName.class) {
            return state.store().schema();
        } else if (type == EventStoreConfig.class) {
            return state.config().orElseThrow(() -> new ParameterResolutionException(
                    "no EventStoreConfig to inject: the store runs on the test's own DataSource"));
        }
        return state.injectable(type);
    }

    // ------------------------------------------------------------------ the class's store

    /** The store of the current test class (with {@code @RegisterExtension}). */
    public EventStore eventStore() {
        return current(this).store();
    }

    /** The store's data source. */
    public DataSource dataSource() {
        return eventStore().dataSource();
    }

    /** The store's configuration: its URL, role and schema (absent with a data source of the test's own). */
    public Optional<EventStoreConfig> config() {
        return current(this).config();
    }

    /** The class's schema. */
    public SchemaName schema() {
        return eventStore().schema();
    }

    /** Empties the store now: deletes every event, stream and subscription; returns what there was. */
    public StoreCounts reset() {
        return eventStore().schemaManager().reset();
    }

    /** Row counts of the store's tables. */
    public StoreCounts counts() {
        return eventStore().schemaManager().counts();
    }

    /** The end-to-end mode's helper of {@code type} (for example {@code KafkaEvents}). */
    public <T> T endToEnd(Class<T> type) {
        return type.cast(current(this).injectable(type));
    }

    /** Appends {@code events} to {@code streamId} of this class's store with {@link ExpectedVersion#ANY}. */
    public AppendResult appendTestStream(String streamId, List<EventData> events) {
        return eventStore().append(streamId, ExpectedVersion.ANY, events);
    }

    // ------------------------------------------------------------------ test events and streams

    /** An event of {@code type}, {@code data} written as JSON, metadata {@code {"test": true}}. */
    public static EventData createTestEvent(String type, Map<String, ?> data) {
        try {
            return createTestEvent(type, MAPPER.writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("test event data cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** An event of {@code type} with {@code json} as its data, metadata {@code {"test": true}}. */
    public static EventData createTestEvent(String type, String json) {
        return EventData.of(type, json, EventMetadata.builder().put("test", true).build());
    }

    /** {@code count} events {@code TestEvent} with data {@code {"n": 1}}, {@code {"n": 2}}, ... */
    public static List<EventData> createTestEvents(int count) {
        List<EventData> events = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            events.add(createTestEvent("TestEvent", "{\"n\":" + i + "}"));
        }
        return events;
    }

    /**
     * Appends {@code events} to {@code streamId} with {@link ExpectedVersion#ANY}, in the store of
     * the test running on this thread.
     *
     * @throws IllegalStateException outside a test of a class using this extension
     */
    public static AppendResult createTestStream(String streamId, List<EventData> events) {
        return current(null).store().append(streamId, ExpectedVersion.ANY, events);
    }

    /** Appends {@link #createTestEvents(int) count test events} to {@code streamId}. */
    public static AppendResult createTestStream(String streamId, int count) {
        return createTestStream(streamId, createTestEvents(count));
    }

    // ------------------------------------------------------------------ internals

    private static ClassStore current(EventStoreExtension extension) {
        ClassStore state = CURRENT.get();
        if (state == null && extension != null) {
            state = extension.last;
        }
        if (state == null) {
            throw new IllegalStateException("no event store here: the test kit's helpers run in tests (or @BeforeEach,"
                    + " @AfterEach) of a class extended with EventStoreExtension, on the test's thread");
        }
        return state;
    }

    private ClassStore state(ExtensionContext context) {
        ExtensionContext classContext = outermostClass(context);
        Options resolved = options(classContext);
        ClassStore state = classContext.getStore(NAMESPACE).getOrComputeIfAbsent(ClassStore.class,
                k -> ClassStore.open(classContext, resolved), ClassStore.class);
        last = state;
        return state;
    }

    private Options options(ExtensionContext context) {
        if (options != null) {
            return options;
        }
        Class<?> testClass = outermostClass(context).getRequiredTestClass();
        EventStoreTest annotation = findAnnotation(testClass);
        if (annotation == null) {
            return Options.DEFAULTS;
        }
        return new Options(annotation.database(), annotation.schema().isEmpty() ? null : annotation.schema(),
                annotation.reset(), annotation.endToEnd(), null, null, null, null, null);
    }

    private static EventStoreTest findAnnotation(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            EventStoreTest annotation = c.getAnnotation(EventStoreTest.class);
            if (annotation != null) {
                return annotation;
            }
        }
        return null;
    }

    /** The context of the outermost test class: {@code @Nested} classes share their outer class's store. */
    private static ExtensionContext outermostClass(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getParent().isPresent() && c.getParent().get().getTestClass().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    private record Previous(ClassStore state) {
    }

    /** Options of {@link EventStoreExtension}; every one left unset takes the run's setting or the default. */
    public static final class Builder {
        private Database database;
        private String schema;
        private Reset reset = Reset.BEFORE_EACH;
        private boolean endToEnd;
        private String url;
        private String user;
        private String password;
        private String image;
        private DataSource dataSource;

        private Builder() {
        }

        /** The database ({@link Database#DEFAULT}: the run's choice). */
        public Builder database(Database database) {
            this.database = Objects.requireNonNull(database, "database");
            return this;
        }

        /** An existing server by JDBC URL ({@link Database#URL}); {@code user} and {@code password} may be null. */
        public Builder url(String url, String user, String password) {
            this.database = Database.URL;
            this.url = Objects.requireNonNull(url, "url");
            this.user = user;
            this.password = password;
            return this;
        }

        /** A Testcontainers PostgreSQL of {@code image} ({@link Database#CONTAINER}). */
        public Builder container(String image) {
            this.database = Database.CONTAINER;
            this.image = Objects.requireNonNull(image, "image");
            return this;
        }

        /** The store on a data source the test owns (and closes); no server is started. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The class's schema; it is migrated and kept after the class. Unset: a generated one, dropped after. */
        public Builder schema(String schema) {
            this.schema = SchemaName.of(schema).value();
            return this;
        }

        public Builder reset(Reset reset) {
            this.reset = Objects.requireNonNull(reset, "reset");
            return this;
        }

        /** An embedded Kafka broker and the bridge beside the store (needs {@code eventstore-test-kafka}). */
        public Builder endToEnd(boolean endToEnd) {
            this.endToEnd = endToEnd;
            return this;
        }

        public EventStoreExtension build() {
            return new EventStoreExtension(new Options(database, schema, reset, endToEnd, url, user, password, image,
                    dataSource));
        }
    }
}
