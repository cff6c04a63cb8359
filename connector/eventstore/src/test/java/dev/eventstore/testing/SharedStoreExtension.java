package dev.eventstore.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.AppendResult;
import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.EventStore;
import dev.eventstore.EventStoreConfig;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.StoreCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The repository's own test support (the library's test-jar): one store per test JVM on the
 * shared {@link TestDatabase}, in the default schema, migrated once and emptied before each test
 * with {@link SchemaManager#reset()}; the event helpers as the test kit names them. The modules'
 * tests cannot use the test kit ({@code eventstore-test}, whose {@code EventStoreExtension}
 * applications use): it depends on this library. Test classes run one after another in one JVM
 * (failsafe's default): the reset assumes no other test uses the store at the same time.
 *
 * <p>{@code @ExtendWith(SharedStoreExtension.class)} injects {@code EventStore} and
 * {@code TestDatabase} parameters.
 */
public final class SharedStoreExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static EventStore shared;

    /** The shared store: starts the test database and migrates the default schema on first use. */
    public static synchronized EventStore eventStore() {
        if (shared == null) {
            TestDatabase database = TestDatabase.get();
            EventStoreConfig config = EventStoreConfig.of(database.settings(), SchemaName.defaultSchema())
                    .with(EventStoreConfig.POOL_MAX_SIZE, "16")
                    .with(EventStoreConfig.APPLICATION_NAME, "eventstore-tests");
            EventStore store = EventStore.open(config);
            store.migrate();
            Runtime.getRuntime().addShutdownHook(new Thread(store::close, "eventstore-test-pool-close"));
            shared = store;
        }
        return shared;
    }

    /** The shared store (for use as a {@code @RegisterExtension} field). */
    public EventStore store() {
        return eventStore();
    }

    /** Deletes every event, stream and subscription of the shared store. */
    public static StoreCounts reset() {
        return eventStore().schemaManager().reset();
    }

    /** Row counts of the shared store's tables. */
    public static StoreCounts counts() {
        return eventStore().schemaManager().counts();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        eventStore();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EventStore.class || type == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EventStore.class ? eventStore() : TestDatabase.get();
    }

    /** An event of {@code type} with {@code data} written as JSON and metadata {@code {"test": true, "actor": "test"}}. */
    public static EventData createTestEvent(String type, Map<String, ?> data) {
        try {
            return createTestEvent(type, MAPPER.writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("test event data cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** An event of {@code type} with {@code json} as data and metadata {@code {"test": true, "actor": "test"}}. */
    public static EventData createTestEvent(String type, String json) {
        return EventData.of(type, json, EventMetadata.builder().put("test", true).actor("test").build());
    }

    /** {@code count} events {@code TestEvent} with data {@code {"n": 1}}, {@code {"n": 2}}, ... */
    public static List<EventData> createTestEvents(int count) {
        List<EventData> events = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            events.add(createTestEvent("TestEvent", "{\"n\":" + i + "}"));
        }
        return events;
    }

    /** Appends {@code events} to {@code streamId} with {@link ExpectedVersion#ANY}. */
    public static AppendResult createTestStream(String streamId, List<EventData> events) {
        return eventStore().append(streamId, ExpectedVersion.ANY, events);
    }

    /** Appends {@link #createTestEvents(int) count test events} to {@code streamId}. */
    public static AppendResult createTestStream(String streamId, int count) {
        return createTestStream(streamId, createTestEvents(count));
    }
}
