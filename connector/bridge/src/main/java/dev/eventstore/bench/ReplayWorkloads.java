package dev.eventstore.bench;

import dev.eventstore.EventData;
import dev.eventstore.RecordedEvent;
import dev.eventstore.bridge.EventRecordEncoder;
import dev.eventstore.bridge.TopicManager;
import dev.eventstore.consumer.ConsumedEvent;
import dev.eventstore.consumer.EventRecordDeserializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Replay: a consumer reads a topic of event records from the beginning, as a read model being
 * rebuilt does. Ours turns every record into a typed event ({@link EventRecordDeserializer}, the
 * game's registered classes); beside it, the ceiling: a consumer with the same settings that
 * takes the records' bytes as they are. The topic is filled once, unmeasured, with records in the
 * bridge's exact format ({@link EventRecordEncoder}) of the benchmark's game events, spread over
 * {@value #STREAMS} streams; each subject first reads part of it unmeasured (its JIT warm-up).
 */
final class ReplayWorkloads {

    static final String REPLAY = "replay.n";
    private static final int STREAMS = 10_000;
    /** Records per poll: both subjects use the same consumer settings. */
    private static final int MAX_POLL_RECORDS = 5000;

    private final BenchContext context;
    /** Keeps what was read observable, so that no work is optimised away. */
    private volatile long sink;

    ReplayWorkloads(BenchContext context) {
        this.context = context;
    }

    static int caseCount() {
        return 3;
    }

    List<ResultRow> run() {
        int events = context.settings.replayEvents();
        String id = REPLAY + events;
        String workload = String.format(Locale.ROOT, "replay of %,d events from Kafka", events);
        BenchContext.Subject ours = new BenchContext.Subject(id, workload, "eventstore",
                "EventRecordDeserializer into typed events", ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT);
        BenchContext.Subject raw = new BenchContext.Subject(id, workload, "raw-consumer",
                "raw consumer, bytes (ceiling)", ResultRow.Role.CEILING, ResultRow.Basis.THROUGHPUT);
        String topic = "bench.replay" + System.currentTimeMillis() + ".game";
        List<ResultRow> rows = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                context.servers.bootstrapServers()))) {
            try {
                context.progress.startCase(workload + " · filling the topic", Duration.ofSeconds(5 + events / 50_000));
                fill(admin, topic, events);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                String reason = "set-up failed: " + LoadRunner.describe(e);
                return List.of(ours.failed(reason), raw.failed(reason));
            }
            try {
                EventRecordDeserializer typed = new EventRecordDeserializer(context.events.serializer());
                rows.add(replay(raw, topic, events, new ByteArrayDeserializer(), value -> value.length));
                rows.add(replay(ours, topic, events, typed, event -> event.streamVersion() + (event.data() == null ? 0 : 1)));
            } finally {
                admin.deleteTopics(Set.of(topic)); // the embedded broker goes anyway; a given one keeps no benchmark data
            }
        }
        return rows;
    }

    /** Writes {@code events} records in the bridge's format: the pool's events, round robin over the streams. */
    private void fill(Admin admin, String topic, int events) throws Exception {
        EventRecordEncoder encoder = new EventRecordEncoder(context.bridgeConfig("bench-replay", "bench_replay", "bench.replay",
                Map.of()));
        Map<String, Object> bulk = Map.of(ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (Producer<byte[], byte[]> producer = PipelineWorkloads.producer(context.servers.bootstrapServers(),
                "bench-replay-fill", bulk)) {
            new TopicManager(admin, producer, true, PipelineWorkloads.PARTITIONS, (short) -1, -1).ensureExists(topic);
            Instant start = Instant.parse("2025-01-01T00:00:00Z");
            for (int i = 0; i < events && failure.get() == null; i++) {
                EventData data = context.events.get(i);
                RecordedEvent event = new RecordedEvent(i + 1L, "game-replay-" + (i % STREAMS), i / STREAMS + 1L,
                        data.eventType(), data.eventVersion(), data.data(), data.metadata(), start.plusMillis(i));
                ProducerRecord<byte[], byte[]> record = encoder.encode(event);
                producer.send(new ProducerRecord<>(topic, null, record.timestamp(), record.key(), record.value(),
                        record.headers()), (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            }
                        });
                if (i % 10_000 == 0) {
                    context.progress.detail(String.format(Locale.ROOT, "%,d of %,d records written", i, events));
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /**
     * One consumer reads the whole topic from the beginning: first {@code events / 5} records
     * unmeasured, then, with a new consumer, every record, timed from the first poll to the last
     * record; the latency column is the time of each {@code poll()}, deserialisation included
     * (Kafka's consumer deserialises inside poll).
     */
    private <V> ResultRow replay(BenchContext.Subject subject, String topic, int events, Deserializer<V> values,
                                 ToLongFunction<V> touch) {
        context.progress.startCase(subject.workload() + " · " + subject.subject(), Duration.ofSeconds(3 + events / 100_000));
        try {
            read(topic, Math.max(1, events / 5), values, touch, null);
            Histogram polls = Latency.newHistogram();
            long nanos = read(topic, events, values, touch, polls);
            double seconds = nanos / 1e9;
            return subject.measured(events / seconds, Latency.of(polls), String.format(Locale.ROOT,
                    "%,d records in %.2f s, up to %,d per poll; latency: per poll()", events, seconds, MAX_POLL_RECORDS));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return subject.failed(LoadRunner.describe(e));
        }
    }

    /** Reads {@code count} records of {@code topic} from its beginning; returns the nanoseconds it took. */
    private <V> long read(String topic, int count, Deserializer<V> values, ToLongFunction<V> touch, Histogram polls)
            throws InterruptedException {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.servers.bootstrapServers());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "eventstore-bench-replay");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(120, count / 2000));
        long read = 0;
        long checksum = 0;
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long started = System.nanoTime();
            while (read < count) {
                long t0 = System.nanoTime();
                ConsumerRecords<String, V> records = consumer.poll(Duration.ofMillis(200));
                if (polls != null && !records.isEmpty()) {
                    Latency.record(polls, System.nanoTime() - t0);
                }
                for (ConsumerRecord<String, V> record : records) {
                    checksum += touch.applyAsLong(record.value()) + record.key().length();
                    if (++read == count) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "only %,d of %,d records read before the deadline",
                            read, count));
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            sink += checksum;
            return System.nanoTime() - started;
        }
    }
}
