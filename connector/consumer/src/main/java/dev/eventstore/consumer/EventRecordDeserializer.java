package dev.eventstore.consumer;

import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.consumer.MalformedEventRecordException.Problem;
import dev.eventstore.serializer.EventSerializer;
import dev.eventstore.serializer.EventTypeRegistry;
import dev.eventstore.serializer.UtcInstants;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the value of an event record (docs/design.md, "Kafka record") into a
 * {@link ConsumedEvent} whose data is the registered Java class of its event type, upcast to the
 * registered version by the library's {@link EventSerializer}.
 *
 * <p>Both CloudEvents modes of the record contract are read: <b>binary</b> (the value is the
 * event's data; {@code ce_id}, {@code ce_type}, {@code ce_subject}, {@code ce_streamversion},
 * {@code ce_eventversion}, {@code ce_time} headers are required, {@code ce_metadata} optional) and
 * <b>structured</b> (header {@code content-type: application/cloudevents+json}; the value is the
 * whole CloudEvent with the same attributes and the data in {@code data}).
 *
 * <p>A record that is not a readable event record throws a {@link MalformedEventRecordException}
 * (a Kafka {@link org.apache.kafka.common.errors.SerializationException}) whose one-line message
 * names the topic and what is wrong, never the record's contents: a missing or invalid header, a
 * value that is not JSON or is absent (event topics carry no tombstones), an event type the registry
 * does not know (when strict, the default), data that does not fit its class.
 *
 * <p>Use it directly with a {@code KafkaConsumer<String, ConsumedEvent>}:
 * <pre>{@code
 * new KafkaConsumer<>(props, new StringDeserializer(), new EventRecordDeserializer(GameEvents.serializer()));
 * }</pre>
 * or by class name ({@code value.deserializer}) with {@value #SERIALIZER_CONFIG} in the consumer's
 * configs: an {@link EventSerializer} or {@link EventTypeRegistry} instance, or the name of a class
 * with a public no-argument constructor that implements {@code Supplier} of either. The
 * {@link CheckpointingSubscriber} uses it for you. Thread-safe once configured; the topic,
 * partition and offset of the returned event are attached by the subscriber
 * ({@link ConsumedEvent#withPosition}), the deserializer knows only the topic.
 */
public final class EventRecordDeserializer implements Deserializer<ConsumedEvent> {

    /** An {@link EventSerializer} or {@link EventTypeRegistry}, or a {@code Supplier} class (or its name) of either. */
    public static final String SERIALIZER_CONFIG = "eventstore.serializer";
    /** {@code true} (default): an unregistered event type is malformed; {@code false}: its data is a {@code JsonNode}. */
    public static final String STRICT_CONFIG = "eventstore.deserializer.strict";

    private static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";
    private static final byte[] SPEC_VERSION_VALUE = EventRecordHeaders.SPEC_VERSION_VALUE.getBytes(StandardCharsets.UTF_8);

    /** The headers read, by slot; {@link #slot} finds a key's slot. */
    private static final String[] SLOTS = {
        EventRecordHeaders.CONTENT_TYPE, EventRecordHeaders.SPEC_VERSION, EventRecordHeaders.ID, EventRecordHeaders.TYPE,
        EventRecordHeaders.SUBJECT, EventRecordHeaders.STREAM_VERSION, EventRecordHeaders.EVENT_VERSION,
        EventRecordHeaders.TIME, EventRecordHeaders.METADATA};
    private static final int CONTENT_TYPE_SLOT = 0;
    private static final int SPEC_VERSION_SLOT = 1;
    private static final int ID_SLOT = 2;
    private static final int TYPE_SLOT = 3;
    private static final int SUBJECT_SLOT = 4;
    private static final int STREAM_VERSION_SLOT = 5;
    private static final int EVENT_VERSION_SLOT = 6;
    private static final int TIME_SLOT = 7;
    private static final int METADATA_SLOT = 8;
    /** Slots by key length: a key is compared only with the read keys of its length, and never hashed. */
    private static final int[][] SLOTS_BY_LENGTH = slotsByLength();

    private volatile EventSerializer serializer;
    private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();
    private volatile boolean strict = true;

    /** For instantiation by class name: {@link #configure} must give {@value #SERIALIZER_CONFIG}. */
    public EventRecordDeserializer() {
    }

    /** A strict deserializer over {@code serializer}'s registry, upcasters and mapper. */
    public EventRecordDeserializer(EventSerializer serializer) {
        this(serializer, true);
    }

    /**
     * @param strict whether an event type the registry does not know is malformed ({@code true}) or
     *     delivered with its data as a Jackson {@code JsonNode} ({@code false})
     */
    public EventRecordDeserializer(EventSerializer serializer, boolean strict) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.strict = strict;
    }

    /** A strict deserializer over {@code registry} with the library's default mapper. */
    public EventRecordDeserializer(EventTypeRegistry registry) {
        this(new EventSerializer(registry), true);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (isKey) {
            throw new ConfigException("EventRecordDeserializer reads record values; an event record's key is its"
                    + " stream id: use StringDeserializer for keys");
        }
        Object given = configs.get(SERIALIZER_CONFIG);
        if (given != null) {
            this.serializer = serializerOf(given);
        }
        Object strictness = configs.get(STRICT_CONFIG);
        if (strictness != null) {
            String text = strictness.toString().trim();
            if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                throw new ConfigException(STRICT_CONFIG, strictness, "must be true or false");
            }
            this.strict = Boolean.parseBoolean(text);
        }
        if (serializer == null) {
            throw new ConfigException(SERIALIZER_CONFIG + " is not set: give an EventSerializer, an EventTypeRegistry,"
                    + " or the name of a class implementing Supplier of either");
        }
    }

    private static EventSerializer serializerOf(Object given) {
        Object value = given;
        if (value instanceof String || value instanceof Class<?>) {
            value = supplied(value);
        }
        if (value instanceof EventSerializer s) {
            return s;
        }
        if (value instanceof EventTypeRegistry r) {
            return new EventSerializer(r);
        }
        throw new ConfigException(SERIALIZER_CONFIG, given.getClass().getName(),
                "must be an EventSerializer, an EventTypeRegistry, or a Supplier class of either");
    }

    private static Object supplied(Object classOrName) {
        try {
            Class<?> type = classOrName instanceof Class<?> c ? c
                    : Class.forName(classOrName.toString().trim(), true, Thread.currentThread().getContextClassLoader());
            if (!Supplier.class.isAssignableFrom(type)) {
                throw new ConfigException(SERIALIZER_CONFIG, type.getName(), "is not a java.util.function.Supplier");
            }
            return ((Supplier<?>) type.getConstructor().newInstance()).get();
        } catch (ClassNotFoundException e) {
            throw new ConfigException(SERIALIZER_CONFIG, classOrName.toString(), "class not found");
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new ConfigException(SERIALIZER_CONFIG, classOrName.toString(),
                    "cannot be instantiated with a public no-argument constructor (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The serializer events are read with, or {@code null} before {@link #configure}. */
    public EventSerializer serializer() {
        return serializer;
    }

    public boolean strict() {
        return strict;
    }

    /** Without headers only a structured-mode record can be read; a binary one is malformed. */
    @Override
    public ConsumedEvent deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public ConsumedEvent deserialize(String topic, Headers headers, byte[] data) {
        EventSerializer events = serializer;
        if (events == null) {
            throw new IllegalStateException("EventRecordDeserializer is not configured: " + SERIALIZER_CONFIG + " is not set");
        }
        if (data == null) {
            throw new MalformedEventRecordException(topic, Problem.NO_VALUE,
                    "the record has no value (a tombstone); event records always carry the event's data");
        }
        // One pass over the headers, the last of a name winning as with lastHeader: a replay spent
        // an eighth of its deserialising time looking headers up one by one (JFR, BENCHMARKS.md).
        Header[] found = new Header[SLOTS.length];
        boolean any = false;
        if (headers != null) {
            for (Header header : headers) {
                any = true;
                int slot = slot(header.key());
                if (slot >= 0) {
                    found[slot] = header;
                }
            }
        }
        Header contentType = found[CONTENT_TYPE_SLOT];
        if (contentType != null && startsWithIgnoringCase(contentType.value(), STRUCTURED_CONTENT_TYPE)) {
            return structured(events, topic, data);
        }
        if (!any) {
            throw new MalformedEventRecordException(topic, Problem.MISSING_HEADER,
                    "the record has no headers: a binary-mode event record carries ce_id, ce_type, ce_subject,"
                            + " ce_streamversion, ce_eventversion and ce_time");
        }
        Header specVersion = found[SPEC_VERSION_SLOT];
        if (specVersion != null && specVersion.value() != null && !Arrays.equals(specVersion.value(), SPEC_VERSION_VALUE)) {
            throw new MalformedEventRecordException(topic, Problem.INVALID_HEADER,
                    "header " + EventRecordHeaders.SPEC_VERSION + " is not " + EventRecordHeaders.SPEC_VERSION_VALUE);
        }
        Header id = found[ID_SLOT];
        Header type = found[TYPE_SLOT];
        Header subject = found[SUBJECT_SLOT];
        Header streamVersion = found[STREAM_VERSION_SLOT];
        Header eventVersion = found[EVENT_VERSION_SLOT];
        Header time = found[TIME_SLOT];
        Header metadata = found[METADATA_SLOT];
        long eventId = wholeNumber(topic, EventRecordHeaders.ID, id);
        String eventType = required(topic, type, EventRecordHeaders.TYPE);
        String streamId = required(topic, subject, EventRecordHeaders.SUBJECT);
        long version = wholeNumber(topic, EventRecordHeaders.STREAM_VERSION, streamVersion);
        long eventVersionNumber = wholeNumber(topic, EventRecordHeaders.EVENT_VERSION, eventVersion);
        if (eventVersionNumber > Integer.MAX_VALUE) {
            version(topic, "header", EventRecordHeaders.EVENT_VERSION, required(topic, eventVersion,
                    EventRecordHeaders.EVENT_VERSION)); // throws: too large
        }
        Instant createdAt = time == null || time.value() == null ? null : utcTime(time.value());
        if (createdAt == null) {
            createdAt = time(topic, "header", EventRecordHeaders.TIME, required(topic, time, EventRecordHeaders.TIME));
        }
        if (data.length == 0) {
            throw new MalformedEventRecordException(topic, Problem.NOT_JSON, "the value is empty, not JSON");
        }
        return typed(events, topic, eventId, streamId, version, eventType, (int) eventVersionNumber, createdAt,
                text(metadata), data, null);
    }

    private ConsumedEvent structured(EventSerializer events, String topic, byte[] data) {
        JsonNode cloudEvent;
        try {
            cloudEvent = events.mapper().readTree(data);
        } catch (IOException e) {
            throw notJson(topic, "the structured-mode value", e);
        }
        if (cloudEvent == null || !cloudEvent.isObject()) {
            throw new MalformedEventRecordException(topic, Problem.NOT_JSON,
                    "the structured-mode value is not a JSON object (a CloudEvent)");
        }
        JsonNode specVersion = cloudEvent.get("specversion");
        if (specVersion != null && !EventRecordHeaders.SPEC_VERSION_VALUE.equals(specVersion.asText())) {
            throw new MalformedEventRecordException(topic, Problem.INVALID_HEADER,
                    "attribute specversion is not " + EventRecordHeaders.SPEC_VERSION_VALUE);
        }
        long eventId = wholeNumber(topic, "attribute", "id", attribute(topic, cloudEvent, "id"));
        String eventType = attribute(topic, cloudEvent, "type");
        String streamId = attribute(topic, cloudEvent, "subject");
        long streamVersion = wholeNumber(topic, "attribute", "streamversion", attribute(topic, cloudEvent, "streamversion"));
        int eventVersion = version(topic, "attribute", "eventversion", attribute(topic, cloudEvent, "eventversion"));
        Instant createdAt = time(topic, "attribute", "time", attribute(topic, cloudEvent, "time"));
        JsonNode metadataNode = cloudEvent.get("metadata");
        String metadata = metadataNode == null || metadataNode.isNull() ? null
                : metadataNode.isTextual() ? metadataNode.asText() : metadataNode.toString();
        JsonNode dataNode = cloudEvent.get("data");
        if (dataNode == null) {
            throw new MalformedEventRecordException(topic, Problem.MISSING_HEADER,
                    "attribute data is missing from the structured-mode value (data_base64 is not supported)");
        }
        return typed(events, topic, eventId, streamId, streamVersion, eventType, eventVersion, createdAt, metadata,
                null, dataNode);
    }

    /** Reads the data (text, or a tree in structured mode) as the registered class of {@code eventType}. */
    private ConsumedEvent typed(EventSerializer events, String topic, long eventId, String streamId, long streamVersion,
                                String eventType, int eventVersion, Instant createdAt, String metadata,
                                byte[] dataBytes, JsonNode dataTree) {
        Optional<EventTypeRegistry.EventType> registered = events.registry().byName(eventType);
        Object value;
        int dataVersion;
        if (registered.isEmpty()) {
            if (strict) {
                throw new MalformedEventRecordException(topic, Problem.UNKNOWN_TYPE, "event type '" + eventType
                        + "' is not registered in the event serializer's registry");
            }
            if (dataTree != null) {
                value = dataTree;
            } else {
                try {
                    value = events.mapper().readTree(dataBytes);
                } catch (IOException e) {
                    throw notJson(topic, "the value", e);
                }
            }
            dataVersion = eventVersion;
        } else {
            EventTypeRegistry.EventType type = registered.get();
            try {
                if (eventVersion == type.version() && dataBytes != null) {
                    // The current version needs no upcaster: read the bytes as the class, as the serializer would.
                    value = readers.computeIfAbsent(type.javaClass(), events.mapper()::readerFor).readValue(dataBytes);
                } else {
                    String json = dataBytes != null ? new String(dataBytes, StandardCharsets.UTF_8) : dataTree.toString();
                    value = events.deserialize(eventType, eventVersion, json);
                }
            } catch (IOException e) {
                // The fast path's failure, worded as the serializer words it (names the property, never its value).
                StreamReadException parse = e instanceof StreamReadException p ? p : parseError(e);
                if (parse != null) {
                    throw notJson(topic, "the value", parse);
                }
                String where = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()
                        ? " at " + m.getPathReference() : "";
                throw new MalformedEventRecordException(topic, Problem.UNREADABLE_DATA, "cannot read event type " + eventType
                        + " version " + eventVersion + " as " + type.javaClass().getName() + where + " ("
                        + e.getClass().getSimpleName() + ")", e);
            } catch (dev.eventstore.serializer.SerializationException e) {
                StreamReadException parse = parseError(e);
                if (parse != null) {
                    throw notJson(topic, "the value", parse);
                }
                Problem problem = e.getCause() == null ? Problem.UNSUPPORTED_VERSION : Problem.UNREADABLE_DATA;
                throw new MalformedEventRecordException(topic, problem, e.getMessage(), e);
            } catch (RuntimeException e) {
                // An upcaster that cannot handle this data (a ClassCastException on an unexpected shape, ...).
                throw new MalformedEventRecordException(topic, Problem.UNREADABLE_DATA, "cannot upcast event type '"
                        + eventType + "' from version " + eventVersion + " (" + e.getClass().getSimpleName() + ")", e);
            }
            dataVersion = registered.get().version();
        }
        if (value == null || value instanceof JsonNode node && node.isNull()) {
            throw new MalformedEventRecordException(topic, Problem.UNREADABLE_DATA, "the value is JSON null, not an event's data");
        }
        return new ConsumedEvent(eventId, streamId, streamVersion, eventType, eventVersion, dataVersion, createdAt, metadata,
                value, topic, ConsumedEvent.NO_PARTITION, ConsumedEvent.NO_OFFSET);
    }

    private static int[][] slotsByLength() {
        int longest = 0;
        for (String key : SLOTS) {
            longest = Math.max(longest, key.length());
        }
        int[][] byLength = new int[longest + 1][0];
        for (int slot = 0; slot < SLOTS.length; slot++) {
            int length = SLOTS[slot].length();
            byLength[length] = Arrays.copyOf(byLength[length], byLength[length].length + 1);
            byLength[length][byLength[length].length - 1] = slot;
        }
        return byLength;
    }

    /**
     * The slot of header {@code key}, or -1 for a header not read (ce_source, the correlation and
     * causation ids, a producer's own). A switch over the names hashed every key of every record:
     * a tenth of a replay's deserialising time (JFR, BENCHMARKS.md).
     */
    static int slot(String key) {
        if (key.length() >= SLOTS_BY_LENGTH.length) {
            return -1;
        }
        for (int slot : SLOTS_BY_LENGTH[key.length()]) {
            if (SLOTS[slot].equals(key)) {
                return slot;
            }
        }
        return -1;
    }

    /** Whether {@code value} starts with ASCII {@code prefix}, in any case, read without decoding it. */
    private static boolean startsWithIgnoringCase(byte[] value, String prefix) {
        if (value == null || value.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase((char) (value[i] & 0xff)) != Character.toLowerCase(prefix.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The JSON syntax error behind {@code e} (databind wraps one met inside a collection), or {@code null}. */
    private static StreamReadException parseError(Throwable e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof StreamReadException parse) {
                return parse;
            }
        }
        return null;
    }

    private static MalformedEventRecordException notJson(String topic, String what, IOException e) {
        String where = e instanceof StreamReadException parse && parse.getLocation() != null
                ? " (line " + parse.getLocation().getLineNr() + ", column " + parse.getLocation().getColumnNr() + ")" : "";
        return new MalformedEventRecordException(topic, Problem.NOT_JSON, what + " is not valid JSON" + where, e);
    }

    private static String required(String topic, Header header, String name) {
        if (header == null) {
            throw new MalformedEventRecordException(topic, Problem.MISSING_HEADER, "header " + name + " is missing");
        }
        String value = text(header);
        if (value == null || value.isBlank()) {
            throw new MalformedEventRecordException(topic, Problem.MISSING_HEADER, "header " + name + " is empty");
        }
        return value;
    }

    /**
     * A required header's whole number: plain ASCII digits are read from the bytes (the bridge
     * writes nothing else), anything else through the text, with the same checks and messages.
     */
    private static long wholeNumber(String topic, String name, Header header) {
        byte[] bytes = header == null ? null : header.value();
        if (bytes != null && bytes.length > 0 && bytes.length <= 18) {
            long number = 0;
            boolean digits = true;
            for (byte b : bytes) {
                if (b < '0' || b > '9') {
                    digits = false;
                    break;
                }
                number = number * 10 + (b - '0');
            }
            if (digits && number >= 1) {
                return number;
            }
        }
        return wholeNumber(topic, "header", name, required(topic, header, name));
    }

    private static String attribute(String topic, JsonNode cloudEvent, String name) {
        JsonNode node = cloudEvent.get(name);
        if (node == null || node.isNull()) {
            throw new MalformedEventRecordException(topic, Problem.MISSING_HEADER,
                    "attribute " + name + " is missing from the structured-mode value");
        }
        if (!node.isValueNode()) {
            throw new MalformedEventRecordException(topic, Problem.INVALID_HEADER,
                    "attribute " + name + " is not a string");
        }
        String value = node.asText();
        if (value.isBlank()) {
            throw new MalformedEventRecordException(topic, Problem.MISSING_HEADER, "attribute " + name + " is empty");
        }
        return value;
    }

    /** {@link UtcInstants#parse} on the header's bytes, without decoding them into a String. */
    static Instant utcTime(byte[] value) {
        return value.length > 30 ? null : UtcInstants.parse(new AsciiBytes(value));
    }

    /** Bytes read as characters one to one: enough for a time that must be ASCII to be valid. */
    private record AsciiBytes(byte[] bytes) implements CharSequence {

        @Override
        public int length() {
            return bytes.length;
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes[index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private static String text(Header header) {
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static long wholeNumber(String topic, String kind, String name, String value) {
        long number;
        try {
            number = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new MalformedEventRecordException(topic, Problem.INVALID_HEADER,
                    kind + " " + name + " is not a whole number");
        }
        if (number < 1) {
            throw new MalformedEventRecordException(topic, Problem.INVALID_HEADER, kind + " " + name + " is below 1");
        }
        return number;
    }

    private static int version(String topic, String kind, String name, String value) {
        long number = wholeNumber(topic, kind, name, value);
        if (number > Integer.MAX_VALUE) {
            throw new MalformedEventRecordException(topic, Problem.INVALID_HEADER, kind + " " + name + " is too large");
        }
        return (int) number;
    }

    private static Instant time(String topic, String kind, String name, String value) {
        Instant fast = UtcInstants.parse(value);
        if (fast != null) {
            return fast;
        }
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedEventRecordException(topic, Problem.INVALID_HEADER,
                    kind + " " + name + " is not an RFC 3339 time");
        }
    }
}
