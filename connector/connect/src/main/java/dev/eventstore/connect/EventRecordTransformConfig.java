package dev.eventstore.connect;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The configuration of {@link EventRecordTransform}: every key, its type, default, validator and
 * documentation in one definition ({@link #definition()}, published as
 * {@link EventRecordTransform#CONFIG_DEF}), and the parsed values.
 */
public final class EventRecordTransformConfig extends AbstractConfig {

    /** Kafka's limit on a topic name's length. */
    static final int MAX_TOPIC_LENGTH = 249;
    /** Room left for {@code .<category>} after the prefix. */
    static final int MAX_PREFIX_LENGTH = 200;
    static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]+");

    private interface ConfigName {
        String EVENTS_SCHEMA = "events.schema";
        String EVENTS_TABLE = "events.table";
        String TOPIC_PREFIX = "topic.prefix";
        String TOPIC_MODE = "topic.mode";
        String TOPIC_SINGLE_NAME = "topic.single.name";
        String CLOUDEVENTS_SOURCE = "cloudevents.source";
        String CLOUDEVENTS_MODE = "cloudevents.mode";
        String TIMESTAMP_MAX_FUTURE_MS = "record.timestamp.max.future.ms";
    }

    private static final String GROUP_SOURCE = "Source table";
    private static final String GROUP_TOPIC = "Topic";
    private static final String GROUP_CLOUDEVENTS = "CloudEvents";
    private static final String GROUP_RECORD = "Record";
    /** Kafka's default message.timestamp.after.max.ms is one hour; five minutes spare for clocks. */
    static final long DEFAULT_TIMESTAMP_MAX_FUTURE_MS = 55 * 60 * 1000L;

    /** Where each event goes. */
    public enum TopicMode {
        /** {@code <topic.prefix>.<category>}, the category being the stream id before its first '-'. */
        CATEGORY,
        /** Every event to {@code topic.single.name}. */
        SINGLE
    }

    /** How the CloudEvent is carried (CloudEvents Kafka protocol binding). */
    public enum CloudEventsMode {
        /** Value = the event's data; attributes in {@code ce_*} headers. */
        BINARY,
        /** Value = the whole CloudEvent in the JSON event format. */
        STRUCTURED
    }

    private static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(ConfigName.EVENTS_SCHEMA, Type.STRING, "eventstore", new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "PostgreSQL schema of the events table. A change record is mapped only when its "
                            + "<code>source.schema</code> equals this and its <code>source.table</code> equals "
                            + "<code>events.table</code>; every other record (other tables, Debezium heartbeats, "
                            + "transaction markers) passes through unchanged.",
                    GROUP_SOURCE, 1, ConfigDef.Width.MEDIUM, "Events schema")
            .define(ConfigName.EVENTS_TABLE, Type.STRING, "events", new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    "Name of the events table whose change records are mapped to event records.",
                    GROUP_SOURCE, 2, ConfigDef.Width.MEDIUM, "Events table")
            .define(ConfigName.TOPIC_PREFIX, Type.STRING, "eventstore", new TopicNameValidator(MAX_PREFIX_LENGTH, false),
                    Importance.HIGH,
                    "Prefix of the event topics. In <code>category</code> mode an event of stream "
                            + "<code>game-42</code> goes to <code>&lt;topic.prefix&gt;.game</code>. Legal topic "
                            + "characters only (ASCII letters, digits, '.', '_', '-'), at most "
                            + MAX_PREFIX_LENGTH + " characters.",
                    GROUP_TOPIC, 1, ConfigDef.Width.MEDIUM, "Topic prefix")
            .define(ConfigName.TOPIC_MODE, Type.STRING, "category",
                    ConfigDef.CaseInsensitiveValidString.in("category", "single"),
                    Importance.HIGH,
                    "<code>category</code>: one topic per stream category, <code>&lt;topic.prefix&gt;.&lt;category&gt;"
                            + "</code>, where the category is the stream id before its first '-' (the whole id when it "
                            + "has none or starts with '-'). A category of ASCII letters, digits, '_' and '-' only is the "
                            + "topic's last part as it is. In any other, each other character (including '.', which "
                            + "Kafka's metric names treat as '_') becomes '_' and '-' plus 8 hex digits of the "
                            + "category's CRC-32 are appended, so categories that clean alike keep topics of their own "
                            + "(<code>a.b</code> and <code>a b</code>: <code>a_b-1eef715d</code>, "
                            + "<code>a_b-806c5cd3</code>). A topic name that would exceed " + MAX_TOPIC_LENGTH
                            + " characters is cut and ends in the same 8 hex digits. <code>single</code>: every event goes to "
                            + "<code>topic.single.name</code>. Either way the key is the stream id, so each stream "
                            + "stays in one partition, in order.",
                    GROUP_TOPIC, 2, ConfigDef.Width.SHORT, "Topic mode")
            .define(ConfigName.TOPIC_SINGLE_NAME, Type.STRING, null, new TopicNameValidator(MAX_TOPIC_LENGTH, true),
                    Importance.MEDIUM,
                    "The one topic of every event when <code>topic.mode=single</code> (then required); "
                            + "ignored in <code>category</code> mode.",
                    GROUP_TOPIC, 3, ConfigDef.Width.MEDIUM, "Single topic name")
            .define(ConfigName.CLOUDEVENTS_SOURCE, Type.STRING, "/eventstore", new UriReferenceValidator(),
                    Importance.MEDIUM,
                    "The CloudEvents <code>source</code> attribute (<code>ce_source</code> header) of every "
                            + "event: a URI reference that names this event store, for example "
                            + "<code>/eventstore</code> or <code>urn:game:eu-1</code>.",
                    GROUP_CLOUDEVENTS, 1, ConfigDef.Width.MEDIUM, "CloudEvents source")
            .define(ConfigName.CLOUDEVENTS_MODE, Type.STRING, "binary",
                    ConfigDef.CaseInsensitiveValidString.in("binary", "structured"),
                    Importance.MEDIUM,
                    "CloudEvents Kafka protocol binding mode. <code>binary</code>: the value is the event's "
                            + "data JSON, the attributes are <code>ce_*</code> headers and <code>content-type</code> "
                            + "is <code>application/json</code>. <code>structured</code>: the value is the whole "
                            + "CloudEvent in the JSON event format (data inlined as JSON, extension attributes as "
                            + "strings) and the only header is <code>content-type: application/cloudevents+json; "
                            + "charset=UTF-8</code>.",
                    GROUP_CLOUDEVENTS, 2, ConfigDef.Width.SHORT, "CloudEvents mode")
            .define(ConfigName.TIMESTAMP_MAX_FUTURE_MS, Type.LONG, DEFAULT_TIMESTAMP_MAX_FUTURE_MS,
                    ConfigDef.Range.atLeast(0), Importance.LOW,
                    "The record's timestamp is the event's <code>created_at</code>, unless Kafka would refuse it: "
                            + "before 1970 (Kafka takes no negative timestamp), or more than this many milliseconds "
                            + "ahead of this process's clock (Kafka refuses a timestamp further ahead than the topic's "
                            + "<code>message.timestamp.after.max.ms</code>, one hour by default). Such a record carries "
                            + "no timestamp and Kafka stamps it with the time it is sent; <code>ce_time</code> always "
                            + "carries <code>created_at</code> as stored. Keep it below the topics' "
                            + "<code>message.timestamp.after.max.ms</code>.",
                    GROUP_RECORD, 1, ConfigDef.Width.SHORT, "Largest future timestamp");

    private final TopicMode topicMode;
    private final CloudEventsMode cloudEventsMode;

    public EventRecordTransformConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals, false);
        topicMode = TopicMode.valueOf(getString(ConfigName.TOPIC_MODE).toUpperCase(Locale.ROOT));
        cloudEventsMode = CloudEventsMode.valueOf(getString(ConfigName.CLOUDEVENTS_MODE).toUpperCase(Locale.ROOT));
        if (topicMode == TopicMode.SINGLE && singleTopicName() == null) {
            throw new ConfigException(ConfigName.TOPIC_SINGLE_NAME, null,
                    "Required when " + ConfigName.TOPIC_MODE + "=single");
        }
    }

    /** The one definition of every key; {@link EventRecordTransform#CONFIG_DEF} is this object. */
    static ConfigDef definition() {
        return CONFIG_DEF;
    }

    /** How far ahead of now a created_at may be and still be the record's timestamp. */
    public long timestampMaxFutureMs() {
        return getLong(ConfigName.TIMESTAMP_MAX_FUTURE_MS);
    }

    public String eventsSchema() {
        return getString(ConfigName.EVENTS_SCHEMA);
    }

    public String eventsTable() {
        return getString(ConfigName.EVENTS_TABLE);
    }

    public String topicPrefix() {
        return getString(ConfigName.TOPIC_PREFIX);
    }

    public TopicMode topicMode() {
        return topicMode;
    }

    /** The single topic, or {@code null} when not configured. */
    public String singleTopicName() {
        String name = getString(ConfigName.TOPIC_SINGLE_NAME);
        return name == null || name.isBlank() ? null : name;
    }

    public String cloudEventsSource() {
        return getString(ConfigName.CLOUDEVENTS_SOURCE);
    }

    public CloudEventsMode cloudEventsMode() {
        return cloudEventsMode;
    }

    /** A legal Kafka topic name (or prefix) of bounded length. */
    private static final class TopicNameValidator implements ConfigDef.Validator {
        private final int maxLength;
        private final boolean nullable;

        TopicNameValidator(int maxLength, boolean nullable) {
            this.maxLength = maxLength;
            this.nullable = nullable;
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || ((String) value).isEmpty()) {
                if (nullable) {
                    return;
                }
                throw new ConfigException(name, value, "Must not be empty");
            }
            String topic = (String) value;
            if (topic.length() > maxLength) {
                throw new ConfigException(name, value, "Longer than " + maxLength + " characters");
            }
            if (!LEGAL_TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
                throw new ConfigException(name, value,
                        "Only ASCII letters, digits, '.', '_' and '-' are legal in a Kafka topic name");
            }
        }

        @Override
        public String toString() {
            return (nullable ? "empty, or " : "") + "a legal Kafka topic name ([a-zA-Z0-9._-]) of at most "
                    + maxLength + " characters";
        }
    }

    /** A URI reference, as CloudEvents requires of {@code source}. */
    private static final class UriReferenceValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || ((String) value).isBlank()) {
                throw new ConfigException(name, value, "Must be a non-empty URI reference");
            }
            try {
                new URI((String) value);
            } catch (URISyntaxException e) {
                throw new ConfigException(name, value, "Not a URI reference: " + e.getReason());
            }
        }

        @Override
        public String toString() {
            return "a non-empty URI reference (RFC 3986)";
        }
    }
}
