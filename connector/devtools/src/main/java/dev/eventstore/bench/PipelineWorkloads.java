package dev.eventstore.bench;

import dev.eventstore.AppendResult;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.simulation.GameSimulation;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * From PostgreSQL to Kafka, on the same store, server and broker; it runs the subjects in order,
 * sharing one Kafka Connect worker ({@link ConnectPeers}), and cleans up their slots:
 * <ul>
 *   <li>latency from an append's commit to a Kafka consumer's receipt while the game simulation
 *       appends at set rates: our bridge with its defaults, the bridge with Debezium's default
 *       latency settings (poll.interval.ms 500, the producer's default linger), and Debezium's
 *       PostgreSQL connector on a Kafka Connect worker with Debezium's EventRouter and with the
 *       product's own transform ({@link ConnectPeers});</li>
 *   <li>draining a backlog (events appended while the publisher was stopped) to Kafka's
 *       acknowledgement: the same subjects, Debezium alone ({@link CaptureOnly}), and a raw
 *       producer sending records of the same bytes to the same broker;</li>
 *   <li>reading your own writes: how long {@code awaitPublished} and {@code awaitConsumed} keep a
 *       caller after its append ({@link ReadYourWrites}).</li>
 * </ul>
 */
final class PipelineWorkloads {

    static final String LATENCY = "pipeline.latency.r";
    static final String DRAIN = "pipeline.drain.n";

    static final int PARTITIONS = 6;
    static final String SLOT_PREFIX = "bench_store_";

    private final BenchContext context;
    private final Admin admin;
    private ConnectPeers peers;

    PipelineWorkloads(BenchContext context) {
        this.context = context;
        Map<String, Object> client = new HashMap<>();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, context.servers.bootstrapServers());
        client.put(AdminClientConfig.CLIENT_ID_CONFIG, "eventstore-bench-admin");
        this.admin = Admin.create(client);
    }

    /** Writers of the game simulation at {@code rate}: each appends a command's events at a time. */
    static int simulationWriters(int rate) {
        return Math.min(16, Math.max(2, (rate + 499) / 500));
    }

    static int caseCount(BenchSettings settings) {
        return settings.pipelineRates().size() * 4 + 3 + settings.drainEvents().size() * 6 + ReadYourWrites.caseCount();
    }

    /** The producer's linger.ms when none is set: what "Debezium's defaults" run with. */
    static int kafkaDefaultLinger() {
        Object value = ProducerConfig.configDef().defaultValues().get(ProducerConfig.LINGER_MS_CONFIG);
        return value instanceof Number n ? n.intValue() : 5;
    }

    List<ResultRow> run() {
        List<ResultRow> rows = new ArrayList<>();
        try {
            dropSlots(true);
            context.resetAll();
        } catch (SQLException e) {
            context.progress.phase("could not drop leftover slots: " + LoadRunner.describe(e));
        }
        try {
            int linger = kafkaDefaultLinger();
            // Whichever variant runs first measures a few milliseconds more (p50 +7 to +10 ms on the
            // 2-core machine, in either order, the simulation reaching only 80-88 % of its rate),
            // after the warm-up burst and a simulation warm-up alike: Debezium's defaults (hundreds
            // of milliseconds) go first, where those milliseconds do not matter, and our bridge and
            // the Connect peers are compared in the same conditions.
            List<PipelineLatency.Variant> variants = List.of(
                    new PipelineLatency.Variant("debezium-defaults", "eventstore bridge, poll 500 ms, linger " + linger
                            + " ms (Debezium's and Kafka's defaults)", ResultRow.Role.REFERENCE, "dbzdefaults",
                            Map.of(BridgeConfig.Key.POLL_INTERVAL_MS, 500L, BridgeConfig.Key.PRODUCER_LINGER_MS, linger), null),
                    new PipelineLatency.Variant("eventstore", context.settings.bridgeSettings().isEmpty()
                            ? "eventstore bridge (defaults: poll 1 ms, linger 0)"
                            : "eventstore bridge with " + new java.util.TreeMap<>(context.settings.bridgeSettings()),
                            ResultRow.Role.OURS, "ours", Map.of(), null),
                    PipelineLatency.connectVariant(ConnectPeers.Deployment.EVENT_ROUTER, "cnrouter"),
                    PipelineLatency.connectVariant(ConnectPeers.Deployment.EVENTSTORE, "cnours"));
            PipelineLatency latency = new PipelineLatency(this, context);
            for (PipelineLatency.Variant variant : variants) {
                rows.addAll(latency.latency(variant, 0, variant.role() == ResultRow.Role.OURS || variant.connect() != null));
            }
            PipelineDrain drain = new PipelineDrain(this, context, admin);
            for (int events : context.settings.drainEvents()) {
                rows.addAll(drain.drain(events));
            }
            rows.addAll(new ReadYourWrites(this, context).run());
        } finally {
            closeQuietly(peers);
            admin.close(Duration.ofSeconds(5));
            try {
                dropSlots(true);
            } catch (SQLException e) {
                // reported by the next run's clean-up; the slots are the benchmark's own
            }
        }
        return rows;
    }

    /** Closes the Connect worker and the admin client: after {@link PipelineLatency} alone, where {@link #run} is not called. */
    void close() {
        closeQuietly(peers);
        admin.close(Duration.ofSeconds(5));
    }

    /** The Connect worker, started at its first use and shared by every Connect subject of the run. */
    ConnectPeers peers() {
        if (peers == null) {
            context.progress.detail("starting the Kafka Connect worker");
            peers = ConnectPeers.start(context.servers.bootstrapServers());
        }
        return peers;
    }

    /** Creates {@code topic} as the bridge would, unless it exists, and waits for its leaders. */
    void createTopic(String topic) throws Exception {
        BenchKafka.createTopic(admin, topic);
    }

    /** Drops the benchmark's inactive slots ({@code all}) before and after the workloads. */
    private void dropSlots(boolean all) throws SQLException {
        List<String> slots = new ArrayList<>();
        try (Connection connection = context.storePool.getConnection();
             PreparedStatement statement = connection.prepareStatement(BenchSql.LEFTOVER_SLOTS)) {
            statement.setString(1, SLOT_PREFIX.replace("_", "\\_") + "%");
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    slots.add(rs.getString(1));
                }
            }
        }
        if (all) {
            for (String slot : slots) {
                dropSlotQuietly(slot);
            }
        }
    }

    /** Drops {@code slot} once its publisher has let go of it (bounded: 30 s). */
    void dropSlotQuietly(String slot) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection connection = context.storePool.getConnection()) {
            while (System.nanoTime() < deadline) {
                try (PreparedStatement exists = connection.prepareStatement(BenchSql.SLOT_ACTIVE)) {
                    exists.setString(1, slot);
                    try (ResultSet rs = exists.executeQuery()) {
                        if (!rs.next()) {
                            return;
                        }
                    }
                }
                try (PreparedStatement drop = connection.prepareStatement(BenchSql.DROP_SLOT)) {
                    drop.setString(1, slot);
                    drop.executeQuery().close();
                }
                Thread.sleep(100); // the walsender may take a moment to release it
            }
        } catch (SQLException e) {
            // a slot left behind is dropped by the next run's clean-up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing after the measurement; a failure here changes no figure
        }
    }
}
