package dev.eventstore.bridge;

import dev.eventstore.connect.EventRecordTransform;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.SchemaName;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Every setting of the bridge, typed, defaulted, validated and documented in one
 * {@link ConfigDef}; the configuration reference is generated from it. Values come from a
 * properties file ({@code config/eventstore.properties}), and each can be overridden by an
 * environment variable named {@code EVENTSTORE_} plus the key in upper case with dots and dashes
 * as underscores ({@code topic.prefix} → {@code EVENTSTORE_TOPIC_PREFIX}).
 *
 * <p>Keys under {@code kafka.} other than {@code kafka.bootstrap.servers} pass through to the
 * Kafka producer and admin clients without the prefix ({@code kafka.security.protocol},
 * {@code kafka.ssl.truststore.location}, {@code kafka.sasl.jaas.config}, ...), for TLS and SASL.
 */
public final class BridgeConfig extends AbstractConfig {

    public static final String ENV_PREFIX = "EVENTSTORE_";
    public static final String KAFKA_CLIENT_PREFIX = "kafka.";

    /** The configuration keys. */
    public interface Key {
        String NAME = "bridge.name";
        String DB_URL = "db.url";
        String DB_USER = "db.user";
        String DB_PASSWORD = "db.password";
        String SCHEMA = "schema";
        String SLOT_NAME = "slot.name";
        String SLOT_FAILOVER = "slot.failover";
        String SNAPSHOT_MODE = "snapshot.mode";
        String POLL_INTERVAL_MS = "poll.interval.ms";
        String POLL_IDLE_PAUSE_MS = "poll.idle.pause.ms";
        String MAX_BATCH_SIZE = "max.batch.size";
        String MAX_QUEUE_SIZE = "max.queue.size";
        String OFFSET_FLUSH_INTERVAL_MS = "offset.flush.interval.ms";
        String HEARTBEAT_INTERVAL_MS = "heartbeat.interval.ms";
        String PUBLISHED_INTERVAL_MS = "published.interval.ms";
        String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
        String PRODUCER_LINGER_MS = "producer.linger.ms";
        String PRODUCER_MAX_REQUEST_SIZE = "producer.max.request.size";
        String PRODUCER_MAX_IN_FLIGHT = "producer.max.in.flight.requests";
        String TOPIC_CREATE = "topic.create";
        String TOPIC_PARTITIONS = "topic.partitions";
        String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";
        String TOPIC_RETENTION_MS = "topic.retention.ms";
        String ERRORS_POLICY = "errors.policy";
        String ERRORS_DEAD_LETTER_TOPIC = "errors.dead.letter.topic";
        String HTTP_PORT = "http.port";
        String MIRROR_ENABLED = "mirror.enabled";
        String MIRROR_GROUPS = "mirror.groups";
        String MIRROR_GROUPS_EXCLUDE = "mirror.groups.exclude";
        String MIRROR_INTERVAL_MS = "mirror.interval.ms";
        String MIRROR_MAX_RECORDS = "mirror.max.records";
        String HTTP_HOST = "http.host";
        String METRICS_STORE_INTERVAL_MS = "metrics.store.interval.ms";
        String HEALTH_CHECK_INTERVAL_MS = "health.check.interval.ms";
    }

    /** Keys the transform defines; the bridge takes them with the transform's own documentation. */
    static final List<String> TRANSFORM_KEYS =
            List.of("topic.prefix", "topic.mode", "topic.single.name", "cloudevents.source", "cloudevents.mode");

    private static final String GROUP_DATABASE = "PostgreSQL";
    private static final String GROUP_CAPTURE = "Change data capture";
    private static final String GROUP_KAFKA = "Kafka";
    private static final String GROUP_TOPICS = "Topics";
    private static final String GROUP_ERRORS = "Errors";
    private static final String GROUP_HTTP = "Health and metrics";
    private static final String GROUP_MIRROR = "Offset mirror";

    /** PostgreSQL's rule for replication slot names; empty takes the default. */
    static final java.util.regex.Pattern SLOT_NAME = java.util.regex.Pattern.compile("|[a-z0-9_]{1,63}");
    /** Kafka's topic name characters (Debezium's topic.prefix is the bridge's name), at most 64. */
    static final java.util.regex.Pattern BRIDGE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Kafka's rules for a topic name; empty takes the default. */
    static final java.util.regex.Pattern DEAD_LETTER_TOPIC =
            java.util.regex.Pattern.compile("|(?!\\.{1,2}$)[A-Za-z0-9._-]{1,249}");

    public static final ConfigDef CONFIG_DEF = definition();

    private static ConfigDef definition() {
        ConfigDef def = new ConfigDef()
                .define(Key.DB_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new JdbcUrlValidator(), Importance.HIGH,
                        "JDBC URL of the event store's PostgreSQL, jdbc:postgresql://HOST:PORT/DATABASE. The query"
                                + " parameters sslmode, sslrootcert, sslcert and sslkey are passed to the replication"
                                + " connection too.",
                        GROUP_DATABASE, 1, ConfigDef.Width.LONG, "Database URL")
                .define(Key.DB_USER, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "Role the bridge logs in as. It needs REPLICATION and SELECT on the published tables,"
                                + " and INSERT/UPDATE on cdc_heartbeat and cdc_offsets; never a superuser in production.",
                        GROUP_DATABASE, 2, ConfigDef.Width.MEDIUM, "Database user")
                .define(Key.DB_PASSWORD, Type.PASSWORD, "", Importance.HIGH,
                        "Password of that role. Give it through EVENTSTORE_DB_PASSWORD rather than the file.",
                        GROUP_DATABASE, 3, ConfigDef.Width.MEDIUM, "Database password")
                .define(Key.SCHEMA, Type.STRING, SchemaName.DEFAULT, new SchemaNameValidator(), Importance.HIGH,
                        "Schema of the event store. The publication decoded is <schema>_events, created by the migrations.",
                        GROUP_DATABASE, 4, ConfigDef.Width.MEDIUM, "Schema")
                .define(Key.NAME, Type.STRING, "eventstore-bridge", new PatternValidator(BRIDGE_NAME,
                                "1 to 64 ASCII letters, digits, '.', '_' and '-'"), Importance.MEDIUM,
                        "Name of this bridge: Debezium's engine name and topic prefix (which Kafka's topic"
                                + " rules bind), the key of its offsets in cdc_offsets, and the client id of its"
                                + " Kafka clients (with suffixes such as -admin). 1 to 64 ASCII letters, digits,"
                                + " '.', '_' and '-'.",
                        GROUP_CAPTURE, 0, ConfigDef.Width.MEDIUM, "Bridge name")
                .define(Key.SLOT_NAME, Type.STRING, "", new PatternValidator(SLOT_NAME,
                                "empty, or 1 to 63 lower-case letters, digits and underscores"), Importance.HIGH,
                        "Replication slot of this bridge (default <schema>_cdc). Debezium creates it at first start."
                                + " One bridge per slot. PostgreSQL's rules for slot names: 1 to 63 lower-case"
                                + " letters, digits and underscores.",
                        GROUP_CAPTURE, 1, ConfigDef.Width.MEDIUM, "Slot name")
                .define(Key.SLOT_FAILOVER, Type.BOOLEAN, true, Importance.MEDIUM,
                        "Create the slot as a failover slot (PostgreSQL 17 and later, on a primary): PostgreSQL"
                                + " synchronises it to standbys that set sync_replication_slots, so that the bridge"
                                + " carries on from a promoted standby without republishing. Applies when the slot is"
                                + " created; docs/operations.md, 'PostgreSQL failover', gives the server settings.",
                        GROUP_CAPTURE, 1, ConfigDef.Width.SHORT, "Failover slot")
                .define(Key.SNAPSHOT_MODE, Type.STRING, "initial",
                        ConfigDef.ValidString.in("initial", "no_data", "never", "when_needed"), Importance.MEDIUM,
                        "Debezium's snapshot.mode. initial: at first start publish every stored event, in stream"
                                + " order, then stream new ones. no_data: publish only events committed after the slot"
                                + " was created (use republish for older ones).",
                        GROUP_CAPTURE, 2, ConfigDef.Width.SHORT, "Snapshot mode")
                .define(Key.POLL_INTERVAL_MS, Type.LONG, 1L, Range.atLeast(1), Importance.MEDIUM,
                        "The longest a change waits for others to join its batch before the batch goes to the"
                                + " producer: a batch is handed over once max.batch.size changes are queued or its oldest"
                                + " has waited this long, parked (one wake-up per batch). The same key in a Debezium"
                                + " connector counts the wait from each poll instead, and Debezium's queue spins through"
                                + " the last millisecond of each wait, so that there a short interval costs CPU"
                                + " (BENCHMARKS.md, Profiles). It is also Debezium's sleep after five reads of the"
                                + " replication stream that found nothing (at 1 ms, about 830 empty reads a second"
                                + " while changes arrive less than 200 ms apart), and its back-off while the queue is"
                                + " full."
                                + " Larger values make larger batches under light load, at the cost of latency"
                                + " (BENCHMARKS.md, run of record). With no traffic the bridge neither polls nor reads"
                                + " at this interval (see poll.idle.pause.ms).",
                        GROUP_CAPTURE, 3, ConfigDef.Width.SHORT, "Poll interval")
                .define(Key.POLL_IDLE_PAUSE_MS, Type.LONG, 50L, Range.atLeast(0), Importance.LOW,
                        "How long the bridge pauses before each read of the replication stream once no change"
                                + " has arrived for 200 ms; the first change read ends it. Debezium otherwise reads"
                                + " five times, then sleeps poll.interval.ms, whatever the traffic, and each empty"
                                + " read waits 1 ms on the socket. A change committed after a quiet spell waits up to"
                                + " this long to be read. At 50 ms an idle `run` uses 1.37 % of a core, at 30 ms 1.58 %"
                                + " (BENCHMARKS.md, \"Idle\"): a shorter pause reads sooner and more often. 0: Debezium's pace"
                                + " always, about 830 empty reads a second at the 1 ms poll.interval.ms.",
                        GROUP_CAPTURE, 4, ConfigDef.Width.SHORT, "Idle pause")
                .define(Key.MAX_BATCH_SIZE, Type.INT, 2048, Range.atLeast(1), Importance.LOW,
                        "Most change records in one batch handed to the producer.",
                        GROUP_CAPTURE, 4, ConfigDef.Width.SHORT, "Max batch size")
                .define(Key.MAX_QUEUE_SIZE, Type.INT, 8192, Range.atLeast(2), Importance.LOW,
                        "Most change records buffered between the WAL reader and the producer: bounds the"
                                + " bridge's memory while Kafka is slow or away. Must exceed max.batch.size.",
                        GROUP_CAPTURE, 5, ConfigDef.Width.SHORT, "Max queue size")
                .define(Key.OFFSET_FLUSH_INTERVAL_MS, Type.LONG, 1000L, Range.atLeast(0), Importance.MEDIUM,
                        "How often the position acknowledged by Kafka is saved to cdc_offsets and confirmed to the"
                                + " slot. After a crash, events acknowledged since the last flush are published again"
                                + " (duplicates, recognisable by ce_id); a graceful stop always flushes.",
                        GROUP_CAPTURE, 6, ConfigDef.Width.SHORT, "Offset flush interval")
                .define(Key.HEARTBEAT_INTERVAL_MS, Type.INT, 10_000, Range.atLeast(0), Importance.MEDIUM,
                        "How often the bridge writes the heartbeat row, so the slot advances while no events are"
                                + " appended and an idle store never pins the server's WAL. 0 disables it.",
                        GROUP_CAPTURE, 7, ConfigDef.Width.SHORT, "Heartbeat interval")
                .define(Key.PUBLISHED_INTERVAL_MS, Type.LONG, 10L, Range.atLeast(1), Importance.LOW,
                        "Least time between two writes of published_streams, each stream's last event Kafka has"
                                + " acknowledged, which EventStore.awaitPublished waits on. A write moves every stream"
                                + " acknowledged since the last, so at most 1000/interval writes a second whatever the"
                                + " load; a longer interval makes awaitPublished return later by up to as much.",
                        GROUP_CAPTURE, 8, ConfigDef.Width.SHORT, "Published positions interval")
                .define(Key.KAFKA_BOOTSTRAP_SERVERS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new NonEmptyList(),
                        Importance.HIGH,
                        "Kafka brokers to bootstrap from, host:port,host:port. Other kafka.* keys pass to the"
                                + " producer and admin clients without the prefix (TLS, SASL).",
                        GROUP_KAFKA, 1, ConfigDef.Width.LONG, "Kafka bootstrap servers")
                .define(Key.PRODUCER_LINGER_MS, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
                        "Producer linger.ms. 0 sends at once (lowest latency); 5 to 20 batches more records per"
                                + " request when throughput matters more than a few milliseconds.",
                        GROUP_KAFKA, 2, ConfigDef.Width.SHORT, "Producer linger")
                .define(Key.PRODUCER_MAX_REQUEST_SIZE, Type.INT, 1_048_576 + 65_536, Range.atLeast(1024), Importance.LOW,
                        "Producer max.request.size: the largest record the bridge will send, and the max.message.bytes of"
                                + " the topics it creates. Default fits the"
                                + " library's 1 MiB event limit plus headers.",
                        GROUP_KAFKA, 3, ConfigDef.Width.SHORT, "Max request size")
                .define(Key.PRODUCER_MAX_IN_FLIGHT, Type.INT, 1, Range.between(1, 5), Importance.LOW,
                        "Producer max.in.flight.requests.per.connection. 1 keeps a refused batch ahead of the"
                                + " next one to its partition on every broker version; up to 5 is safe only on"
                                + " brokers with KAFKA-15591 (Kafka 4.5): before it, a batch refused while a new"
                                + " partition is being created (NOT_LEADER_OR_FOLLOWER) can be overtaken by the"
                                + " next, then retries until delivery.timeout.ms. BENCHMARKS.md measures the cost.",
                        GROUP_KAFKA, 4, ConfigDef.Width.SHORT, "Max in-flight requests")
                .define(Key.TOPIC_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
                        "Create a missing event topic with the settings below before its first event. When false"
                                + " (or the broker forbids it), a missing topic stops the bridge with an error naming it.",
                        GROUP_TOPICS, 10, ConfigDef.Width.SHORT, "Create topics")
                .define(Key.TOPIC_PARTITIONS, Type.INT, 6, Range.atLeast(1), Importance.MEDIUM,
                        "Partitions of a created topic. Each stream stays in one partition.",
                        GROUP_TOPICS, 11, ConfigDef.Width.SHORT, "Topic partitions")
                .define(Key.TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.MEDIUM,
                        "Replication factor of a created topic; -1 takes the broker's default.replication.factor.",
                        GROUP_TOPICS, 12, ConfigDef.Width.SHORT, "Topic replication factor")
                .define(Key.TOPIC_RETENTION_MS, Type.LONG, -1L, Range.atLeast(-1), Importance.MEDIUM,
                        "retention.ms of a created topic; -1 keeps events forever. Topics always use"
                                + " cleanup.policy=delete: an event topic is never compacted by stream key.",
                        GROUP_TOPICS, 13, ConfigDef.Width.SHORT, "Topic retention")
                .define(Key.ERRORS_POLICY, Type.STRING, "fail", ConfigDef.ValidString.in("fail", "dead-letter"),
                        Importance.MEDIUM,
                        "What happens to an event Kafka refuses (too large for the topic, say). fail: the bridge"
                                + " stops with an error naming the event, and resumes from it once the cause is fixed."
                                + " dead-letter: the record goes to errors.dead.letter.topic with the reason in headers"
                                + " (without its value, its size in header eventstore_error_value_dropped_bytes, when"
                                + " even that topic or producer.max.request.size cannot take it) and the bridge carries on.",
                        GROUP_ERRORS, 1, ConfigDef.Width.SHORT, "Error policy")
                .define(Key.ERRORS_DEAD_LETTER_TOPIC, Type.STRING, "", new PatternValidator(DEAD_LETTER_TOPIC,
                                "empty, or a Kafka topic name: 1 to 249 ASCII letters, digits, '.', '_' and '-',"
                                        + " not . or .."), Importance.MEDIUM,
                        "Dead-letter topic for errors.policy=dead-letter (default <topic.prefix>.dead-letter)."
                                + " Kafka's rules for topic names: 1 to 249 ASCII letters, digits, '.', '_' and '-'.",
                        GROUP_ERRORS, 2, ConfigDef.Width.MEDIUM, "Dead-letter topic")
                .define(Key.HTTP_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Address the HTTP endpoint (/health/live, /health/ready, /health, /metrics) of run and mirror"
                                + " listens on.",
                        GROUP_HTTP, 1, ConfigDef.Width.MEDIUM, "HTTP host")
                .define(Key.HTTP_PORT, Type.INT, 8085, Range.between(-1, 65535), Importance.LOW,
                        "Port of the HTTP endpoint (/health/live, /health/ready, /health, /metrics) of run and mirror;"
                                + " 0 picks a free port, -1 disables it.",
                        GROUP_HTTP, 2, ConfigDef.Width.SHORT, "HTTP port")
                .define(Key.METRICS_STORE_INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.LOW,
                        "How often run and mirror read the store figures of /metrics (streams and events per category,"
                                + " subscription lag) from the monitoring views. Each read scans event_streams and"
                                + " subscriptions: keep it at a minute or more on large stores. 0 disables them; the slot"
                                + " gauges are read at every health check regardless.",
                        GROUP_HTTP, 3, ConfigDef.Width.SHORT, "Store metrics interval")
                .define(Key.HEALTH_CHECK_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(100), Importance.LOW,
                        "How often run and mirror check that PostgreSQL and Kafka answer, and run reads its slot's"
                                + " state and the slot gauges: what /health/ready reports and when an outage is logged."
                                + " Readiness turns DOWN within about this interval plus 5 s (a check's bound) of a"
                                + " dependency going away.",
                        GROUP_HTTP, 4, ConfigDef.Width.SHORT, "Health check interval")
                .define(Key.MIRROR_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                        "Mirror consumer groups' committed offsets into the subscriptions table, so every group's"
                                + " position per stream is visible in PostgreSQL (status, replay --to-subscriptions),"
                                + " whatever language it is written in: the offset mirror built into run. Where Kafka"
                                + " Connect publishes, run `eventstore mirror` instead, with the same settings. One mirror"
                                + " writes a store at a time (a PostgreSQL advisory lock of its own, apart from the"
                                + " bridge's): a run's mirror and any `eventstore mirror` of the store take the same lock,"
                                + " the first writes and the others wait to take over. false: this run mirrors nothing.",
                        GROUP_MIRROR, 1, ConfigDef.Width.SHORT, "Offset mirror")
                .define(Key.MIRROR_GROUPS, Type.STRING, ".*", new RegexValidator(), Importance.MEDIUM,
                        "Regular expression of the consumer groups to mirror (the whole group id must match).",
                        GROUP_MIRROR, 2, ConfigDef.Width.MEDIUM, "Mirrored groups")
                .define(Key.MIRROR_GROUPS_EXCLUDE, Type.STRING, "connect-.*|_.*", new RegexValidator(), Importance.LOW,
                        "Regular expression of groups never mirrored: by default Kafka Connect's and internal ones.",
                        GROUP_MIRROR, 3, ConfigDef.Width.MEDIUM, "Excluded groups")
                .define(Key.MIRROR_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(100), Importance.LOW,
                        "Pause between two passes of the offset mirror.",
                        GROUP_MIRROR, 4, ConfigDef.Width.SHORT, "Mirror interval")
                .define(Key.MIRROR_MAX_RECORDS, Type.INT, 100_000, Range.atLeast(1), Importance.LOW,
                        "Most records the mirror reads per group and partition in one pass; a group far ahead"
                                + " is caught up over several passes.",
                        GROUP_MIRROR, 5, ConfigDef.Width.SHORT, "Mirror records per pass");
        int order = 1;
        for (String name : TRANSFORM_KEYS) {
            ConfigDef.ConfigKey key = EventRecordTransform.CONFIG_DEF.configKeys().get(name);
            def.define(key.name, key.type, key.defaultValue, key.validator, key.importance,
                    key.documentation, GROUP_TOPICS, order++, key.width, key.displayName);
        }
        return def;
    }

    private final Map<String, String> kafkaClientProperties;

    public BridgeConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals, false);
        Map<String, String> passThrough = new HashMap<>();
        originals.forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith(KAFKA_CLIENT_PREFIX) && !key.equals(Key.KAFKA_BOOTSTRAP_SERVERS) && v != null) {
                passThrough.put(key.substring(KAFKA_CLIENT_PREFIX.length()), v.toString());
            }
        });
        this.kafkaClientProperties = Map.copyOf(passThrough);
    }

    /**
     * The file's properties with environment overrides applied: for each key of the definition
     * (and each kafka.* key of the file), {@code EVENTSTORE_<KEY>} wins when set. Extra Kafka
     * client settings can also be given only in the environment as {@code EVENTSTORE_KAFKA_...}.
     */
    public static BridgeConfig load(Properties file, Map<String, String> environment) {
        return load(file, environment, new Properties());
    }

    /** As {@link #load(Properties, Map)}, then {@code flags} (a command line's settings) win over both. */
    public static BridgeConfig load(Properties file, Map<String, String> environment, Properties flags) {
        Map<String, Object> merged = new HashMap<>();
        file.forEach((k, v) -> merged.put(k.toString(), v));
        for (String key : CONFIG_DEF.names()) {
            String value = environment.get(environmentVariable(key));
            if (value != null && !value.isBlank()) {
                merged.put(key, value);
            }
        }
        for (Map.Entry<String, String> variable : environment.entrySet()) {
            String name = variable.getKey();
            if (name.startsWith(ENV_PREFIX + "KAFKA_") && !name.equals(environmentVariable(Key.KAFKA_BOOTSTRAP_SERVERS))) {
                String key = KAFKA_CLIENT_PREFIX + name.substring((ENV_PREFIX + "KAFKA_").length()).toLowerCase(Locale.ROOT).replace('_', '.');
                merged.put(key, variable.getValue());
            }
        }
        flags.forEach((k, v) -> merged.put(k.toString(), v));
        return new BridgeConfig(merged);
    }

    /** {@code topic.prefix} → {@code EVENTSTORE_TOPIC_PREFIX}. */
    public static String environmentVariable(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public String name() {
        return getString(Key.NAME);
    }

    public ConnectionSettings connection() {
        Password password = getPassword(Key.DB_PASSWORD);
        String value = password == null ? null : password.value();
        return new ConnectionSettings(getString(Key.DB_URL), getString(Key.DB_USER), value == null || value.isEmpty() ? null : value);
    }

    public SchemaName schema() {
        return SchemaName.of(getString(Key.SCHEMA));
    }

    public String slotName() {
        String slot = getString(Key.SLOT_NAME);
        return slot == null || slot.isBlank() ? schema().value() + "_cdc" : slot;
    }

    public String publicationName() {
        return schema().value() + "_events";
    }

    public String topicPrefix() {
        return getString("topic.prefix");
    }

    public String deadLetterTopic() {
        String topic = getString(Key.ERRORS_DEAD_LETTER_TOPIC);
        return topic == null || topic.isBlank() ? topicPrefix() + ".dead-letter" : topic;
    }

    public boolean deadLetterEnabled() {
        return getString(Key.ERRORS_POLICY).equals("dead-letter");
    }

    public String bootstrapServers() {
        return String.join(",", getList(Key.KAFKA_BOOTSTRAP_SERVERS));
    }

    /** Extra Kafka client settings (kafka.* without the prefix). */
    public Map<String, String> kafkaClientProperties() {
        return kafkaClientProperties;
    }

    /** The settings of the event record transform, from this configuration. */
    public Map<String, Object> transformProperties() {
        Map<String, Object> properties = new HashMap<>();
        for (String key : TRANSFORM_KEYS) {
            Object value = get(key);
            if (value != null) {
                properties.put(key, value);
            }
        }
        properties.put("events.schema", schema().value());
        properties.put("events.table", "events");
        return properties;
    }

    static final class JdbcUrlValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || !value.toString().startsWith("jdbc:postgresql://")) {
                throw new ConfigException(name, value == null ? null : dev.eventstore.jdbc.PostgresErrors.mask(value.toString()),
                        "must be a jdbc:postgresql://HOST:PORT/DATABASE URL");
            }
        }

        @Override
        public String toString() {
            return "jdbc:postgresql://HOST:PORT/DATABASE";
        }
    }

    /** A string matching a pattern, refused with the rule in words. */
    static final class PatternValidator implements ConfigDef.Validator {
        private final java.util.regex.Pattern pattern;
        private final String rule;

        PatternValidator(java.util.regex.Pattern pattern, String rule) {
            this.pattern = pattern;
            this.rule = rule;
        }

        @Override
        public void ensureValid(String name, Object value) {
            String text = value == null ? "" : value.toString();
            if (!pattern.matcher(text).matches()) {
                throw new ConfigException(name, text.length() > 80 ? text.substring(0, 80) + "... (" + text.length()
                        + " characters)" : text, "must be " + rule);
            }
        }

        @Override
        public String toString() {
            return rule;
        }
    }

    static final class NonEmptyList implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof List<?> list) || list.isEmpty() || list.stream().anyMatch(v -> v.toString().isBlank())) {
                throw new ConfigException(name, value, "must list at least one host:port");
            }
        }

        @Override
        public String toString() {
            return "host:port,host:port";
        }
    }

    static final class RegexValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                java.util.regex.Pattern.compile(value == null ? "" : value.toString());
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new ConfigException(name, value, "not a regular expression: " + e.getDescription());
            }
        }

        @Override
        public String toString() {
            return "a Java regular expression";
        }
    }

    static final class SchemaNameValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                SchemaName.of(value == null ? null : value.toString());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "lower-case letters, digits and underscores";
        }
    }
}
