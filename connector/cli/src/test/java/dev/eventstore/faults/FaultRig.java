package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.EventStore;
import dev.eventstore.admin.Verifier;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.bridge.KafkaClients;
import dev.eventstore.cli.Cli;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * One fault test's world: a migrated event store schema on a PostgreSQL server (the shared test
 * server, or a test's own), a Kafka broker, and this test's own bridge name, replication slot and
 * topic prefix, so that no test sees another's records. It starts the bridge as a child process
 * ({@code eventstore run}, as an operator would) or in this JVM, runs the {@code verify} check,
 * and prints the figures RELIABILITY.md quotes.
 */
final class FaultRig {

    static final String SCHEMA = "faults_it";
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Set<String> MIGRATED = new HashSet<>();

    final ConnectionSettings database;
    final String bootstrapServers;
    final String id;
    final String bridgeName;
    final String slot;
    final String topicPrefix;
    final EventStore store;

    /** On the shared test PostgreSQL and Kafka. */
    static FaultRig shared() {
        return new FaultRig(TestDatabase.get().settings(), TestKafka.bootstrapServers());
    }

    FaultRig(ConnectionSettings database, String bootstrapServers) {
        this.database = database;
        this.bootstrapServers = bootstrapServers;
        synchronized (MIGRATED) {
            SchemaManager manager = new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn());
            if (MIGRATED.add(database.url())) {
                manager.drop();
                manager.migrate();
            }
            manager.reset();
        }
        id = "f" + ProcessHandle.current().pid() + "x" + SEQUENCE.incrementAndGet();
        bridgeName = "faults-" + id;
        slot = "faults_" + id;
        topicPrefix = "faults." + id;
        store = EventStore.builder(database.dataSource()).schema(SchemaName.of(SCHEMA)).build();
    }

    /** The bridge settings of this test, with {@code overrides} applied. */
    Map<String, String> settings(Map<String, String> overrides) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(BridgeConfig.Key.NAME, bridgeName);
        settings.put(BridgeConfig.Key.DB_URL, database.url());
        settings.put(BridgeConfig.Key.DB_USER, database.user());
        if (database.password() != null) {
            settings.put(BridgeConfig.Key.DB_PASSWORD, database.password());
        }
        settings.put(BridgeConfig.Key.SCHEMA, SCHEMA);
        settings.put(BridgeConfig.Key.SLOT_NAME, slot);
        settings.put(BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, bootstrapServers);
        settings.put("topic.prefix", topicPrefix);
        settings.put(BridgeConfig.Key.TOPIC_PARTITIONS, "3");
        settings.put(BridgeConfig.Key.HTTP_PORT, "-1");
        settings.put(BridgeConfig.Key.HEARTBEAT_INTERVAL_MS, "1000");
        settings.put(BridgeConfig.Key.MIRROR_ENABLED, "false");
        settings.putAll(overrides);
        return settings;
    }

    BridgeConfig config(Map<String, String> overrides) {
        return new BridgeConfig(settings(overrides));
    }

    /** The settings as the EVENTSTORE_* environment of a child process. */
    Map<String, String> environment(Map<String, String> overrides) {
        Map<String, String> environment = new HashMap<>();
        settings(overrides).forEach((key, value) -> environment.put(BridgeConfig.environmentVariable(key), value));
        return environment;
    }

    Cli cli(Map<String, String> overrides) {
        Cli cli = new Cli();
        environment(overrides).forEach(cli::with);
        return cli;
    }

    /**
     * {@code eventstore run} in a child JVM; returns once it says it publishes. With
     * {@code -Deventstore.faults.verbose=true} the child logs at INFO (its log is shown when a
     * test fails on it).
     */
    Cli.Child startChild(Path directory, Map<String, String> overrides, String... options) {
        List<String> args = new ArrayList<>();
        if (Boolean.getBoolean("eventstore.faults.verbose")) {
            args.add("--verbose");
        }
        args.add("run");
        args.addAll(List.of(options));
        Cli.Child child = cli(overrides).start(directory, args.toArray(String[]::new));
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> child.outSoFar().contains(" publishing ") || !child.isAlive());
        assertThat(child.isAlive()).as("bridge started: " + child.outSoFar() + child.errSoFar()).isTrue();
        return child;
    }

    /**
     * Waits for a child to exit by itself; fails with the end of its log when it is still running
     * after {@code timeout} (the child is then killed by the test's clean-up).
     */
    /** The scenarios' clean-up: every bridge child still alive is killed (SIGKILL) and waited for. */
    static void killAll(java.util.List<Cli.Child> children) {
        for (Cli.Child child : children) {
            if (child.isAlive()) {
                child.kill();
                child.finish(30);
            }
        }
    }

    static Cli.Result awaitExit(Cli.Child child, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> !child.isAlive());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String log = child.errSoFar();
            throw new AssertionError("the bridge still runs after " + timeout + "; the end of its log:\n"
                    + log.substring(Math.max(0, log.length() - 6000)), e);
        }
        return child.finish(30);
    }

    /** The bridge in this JVM; returns once Debezium's task runs. */
    EventBridge startInProcess(Map<String, String> overrides) throws Exception {
        EventBridge bridge = EventBridge.start(config(overrides), false);
        try {
            bridge.ready().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            bridge.close();
            throw e;
        }
        return bridge;
    }

    /** The {@code verify} check of the whole store, waiting up to a minute for a live bridge. */
    Verifier.Report verify() throws Exception {
        return new Verifier(config(Map.of())).verify(null, slot, Duration.ofSeconds(60), TIMEOUT);
    }

    /**
     * Asserts the verify outcome every scenario ends with: nothing missing, nothing out of order,
     * nothing unknown, and every stored event of the writer present.
     */
    static void assertWhole(Verifier.Report report, long stored) {
        String summary = describe(report);
        assertThat(report.storedEvents()).as(summary).isEqualTo(stored);
        assertThat(report.notYetPublished()).as("not yet published: " + summary).isZero();
        assertThat(report.missing()).as("missing: " + summary).isZero();
        assertThat(report.outOfOrder()).as("out of order: " + summary).isZero();
        assertThat(report.unknown()).as("unknown: " + summary).isZero();
    }

    static String describe(Verifier.Report report) {
        return "stored " + report.storedEvents() + " in " + report.streams() + " streams, records " + report.records()
                + ", missing " + report.missing() + " " + report.missingExamples() + ", duplicated " + report.duplicated()
                + " " + report.duplicatedExamples() + ", out of order " + report.outOfOrder() + " "
                + report.outOfOrderExamples() + ", unknown " + report.unknown() + ", not yet published "
                + report.notYetPublished() + (report.note() == null ? "" : ", note: " + report.note());
    }

    /**
     * Prints the figures of a scenario on one line, {@code RELIABILITY scenario=... key=value ...},
     * with the machine's load average; RELIABILITY.md copies them from a real run.
     */
    static void report(String scenario, Map<String, Object> figures) {
        StringJoiner line = new StringJoiner(" ", "RELIABILITY scenario=" + scenario + " ", "");
        figures.forEach((key, value) -> line.add(key + "=" + value));
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        line.add("load1=" + String.format(java.util.Locale.ROOT, "%.1f", load));
        line.add("cores=" + Runtime.getRuntime().availableProcessors());
        System.out.println(line);
    }

    Connection connect() throws SQLException {
        return database.dataSource().getConnection();
    }

    /** The server's current WAL insert position. */
    String currentWalLsn() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Waits until the slot has confirmed {@code lsn}: the bridge confirms only what Kafka has
     * acknowledged, so everything committed before {@code lsn} is then in Kafka. Returns the
     * milliseconds waited.
     */
    long awaitConfirmed(String lsn, Duration timeout) {
        long started = System.nanoTime();
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            try (Connection connection = connect(); PreparedStatement query = connection.prepareStatement(
                    "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
                query.setString(1, lsn);
                query.setString(2, slot);
                try (ResultSet rs = query.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }
        });
        return (System.nanoTime() - started) / 1_000_000;
    }

    /** The walsender's pid while the slot is active, else {@code null}. */
    Integer walsenderPid() throws SQLException {
        try (Connection connection = connect(); PreparedStatement query = connection.prepareStatement(
                "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            query.setString(1, slot);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    /** Waits for the bridge to stream from its slot; returns the walsender's pid. */
    int awaitWalsender() {
        return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(this::walsenderPid, pid -> pid != null);
    }

    /** {@code pg_terminate_backend} of the slot's walsender; true when there was one. */
    boolean terminateWalsender() throws SQLException {
        try (Connection connection = connect(); PreparedStatement terminate = connection.prepareStatement(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            terminate.setString(1, slot);
            try (ResultSet rs = terminate.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    boolean slotExists() throws SQLException {
        try (Connection connection = connect(); PreparedStatement query = connection.prepareStatement(
                "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, slot);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Drops the test's slot once no process holds it (waits up to 30 s for the holder to go). */
    void dropSlot() {
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                try (Connection connection = connect(); PreparedStatement drop = connection.prepareStatement(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?"
                                + " AND NOT active")) {
                    drop.setString(1, slot);
                    drop.execute();
                }
                return !slotExists();
            });
        } catch (RuntimeException e) {
            System.err.println("cannot drop slot " + slot + ": " + e.getMessage());
        }
    }

    /**
     * Every record of this test's topics, each partition in offset order, read to the current end
     * of every partition.
     */
    List<ConsumerRecord<String, byte[]>> records() throws Exception {
        BridgeConfig config = config(Map.of());
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.reader(config, bridgeName + "-faults-read")) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cannot read " + topicPrefix + ".* to its end within " + TIMEOUT);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Reads {@code topic} from its beginning until it has given at least {@code count} records. */
    List<ConsumerRecord<String, byte[]>> awaitRecords(String topic, int count) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.reader(config(Map.of()), bridgeName + "-faults-topic")) {
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (consumer.assignment().isEmpty()) {
                    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                    if (infos == null || infos.isEmpty()) {
                        return false;
                    }
                    List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }

    /** The current end offset of every partition of this test's topics. */
    Map<TopicPartition, Long> endOffsets() {
        try (KafkaConsumer<String, byte[]> consumer = KafkaClients.reader(config(Map.of()), bridgeName + "-faults-end")) {
            return consumer.endOffsets(partitions(consumer));
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (Map.Entry<String, List<PartitionInfo>> topic : consumer.listTopics(Duration.ofSeconds(30)).entrySet()) {
            if (topic.getKey().startsWith(topicPrefix + ".")) {
                topic.getValue().forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
        }
        return partitions;
    }

    Admin admin() {
        return KafkaClients.admin(config(Map.of()), bridgeName + "-faults-admin");
    }
}
