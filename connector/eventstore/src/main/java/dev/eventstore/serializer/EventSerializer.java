package dev.eventstore.serializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.RecordedEvent;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Java events to JSON and back, by an {@link EventTypeRegistry}: writes an object as its
 * registered type name and current version; reads stored data into the registered class,
 * upcasting older versions first. Thread-safe.
 *
 * <p>The default mapper writes {@code java.time} values as ISO-8601 text and ignores unknown
 * properties on read, so that adding a field to an event needs no new version; renaming or
 * changing the meaning of one does (with an {@link Upcaster}).
 */
public final class EventSerializer {

    private final EventTypeRegistry registry;
    private final ObjectMapper mapper;
    private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

    public EventSerializer(EventTypeRegistry registry) {
        this(registry, defaultMapper());
    }

    public EventSerializer(EventTypeRegistry registry, ObjectMapper mapper) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /**
     * The mapper {@link #EventSerializer(EventTypeRegistry)} uses: java.time as ISO-8601, unknown
     * properties ignored, instants in UTC read without a formatter ({@link UtcInstantDeserializer}).
     */
    public static ObjectMapper defaultMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(UtcInstantDeserializer.module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    public EventTypeRegistry registry() {
        return registry;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** {@code event} as an {@link EventData} of its registered type and version, without metadata. */
    public EventData toEventData(Object event) {
        return toEventData(event, EventMetadata.empty());
    }

    /** {@code event} as an {@link EventData} of its registered type and version, with {@code metadata}. */
    public EventData toEventData(Object event, EventMetadata metadata) {
        EventTypeRegistry.EventType type = typeOf(event);
        return EventData.of(type.name(), serialize(event), metadata).withEventVersion(type.version());
    }

    /** The registered type of {@code event}'s class. */
    public EventTypeRegistry.EventType typeOf(Object event) {
        Objects.requireNonNull(event, "event");
        return registry.byClass(event.getClass()).orElseThrow(() -> new SerializationException(
                event.getClass().getName() + " is not a registered event type"));
    }

    /** {@code event} as JSON. */
    public String serialize(Object event) {
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new SerializationException("cannot write " + event.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** The stored event as its registered class, upcast to the current version. */
    public Object deserialize(RecordedEvent event) {
        return deserialize(event.eventType(), event.eventVersion(), event.data());
    }

    /** The stored event as {@code type}; fails if its registered class is not a {@code type}. */
    public <T> T deserialize(RecordedEvent event, Class<T> type) {
        Object value = deserialize(event);
        if (!type.isInstance(value)) {
            throw new SerializationException("event " + event.streamId() + "@" + event.streamVersion() + " is a "
                    + value.getClass().getName() + ", not a " + type.getName());
        }
        return type.cast(value);
    }

    /** {@code data} of {@code eventType} at {@code eventVersion}, as the registered class at its current version. */
    public Object deserialize(String eventType, int eventVersion, String data) {
        EventTypeRegistry.EventType type = registry.byName(eventType).orElseThrow(() -> new SerializationException(
                "event type " + eventType + " is not registered"));
        ObjectReader reader = readers.computeIfAbsent(type.javaClass(), mapper::readerFor);
        try {
            if (eventVersion == type.version()) {
                return reader.readValue(data);
            }
            if (eventVersion > type.version()) {
                throw new SerializationException("event type " + eventType + " version " + eventVersion
                        + " is newer than this code knows (version " + type.version() + "): upgrade the reader");
            }
            JsonNode node = mapper.readTree(data);
            for (int v = eventVersion; v < type.version(); v++) {
                int from = v;
                Upcaster upcaster = registry.upcaster(eventType, from).orElseThrow(() -> new SerializationException(
                        "no upcaster from version " + from + " to " + (from + 1) + " of event type " + eventType));
                node = upcaster.upcast(node);
            }
            return reader.readValue(node);
        } catch (java.io.IOException e) {
            // The reason names the failing property, never its value: event data is player data.
            String where = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()
                    ? " at " + m.getPathReference() : "";
            throw new SerializationException("cannot read event type " + eventType + " version " + eventVersion
                    + " as " + type.javaClass().getName() + where + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }
}
