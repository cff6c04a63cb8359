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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
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
 *
 * <p>Both are measured with one consumer, and again with one consumer per core splitting the
 * topic's partitions, as the members of one group replaying a topic would (assigned, not
 * subscribed, so that no rebalance is timed): Kafka consumers scale by partitions, and a
 * deserialising consumer is bound by its one thread while a core is left idle.
 */
final class ReplayWorkloads {

    static final String REPLAY = "replay.n";
    /** Suffix of the workload id measured with one consumer per core. */
    static final String PER_CORE = ".c";
    private static final int STREAMS = 10_000;
    /** Records per poll: both subjects use the same consumer settings. */
    private static final int MAX_POLL_RECORDS = 5000;

    private final BenchContext context;
    /** Keeps what was read observable, so that no work is optimised away. */
    private final LongAdder sink = new LongAdder();

    ReplayWorkloads(BenchContext context) {
        this.context = context;
    }

    static int caseCount() {
        return 1 + 2 * (consumersPerCore() > 1 ? 2 : 1);
    }

    /** One consumer per core, at most one per partition. */
    static int consumersPerCore() {
        return Math.min(PipelineWorkloads.PARTITIONS, Runtime.getRuntime().availableProcessors());
    }

    List<ResultRow> run() {
        int events = context.settings.replayEvents();
        String topic = "bench.replay" + System.currentTimeMillis() + ".game";
        int perCore = consumersPerCore();
        List<Integer> consumerCounts = perCore > 1 ? List.of(1, perCore) : List.of(1);
        List<ResultRow> rows = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                context.servers.bootstrapServers()))) {
            try {
                context.progress.startCase(String.format(Locale.ROOT, "replay of %,d events from Kafka · filling the topic",
                        events), Duration.ofSeconds(5 + events / 50_000));
                fill(admin, topic, events);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                String reason = "set-up failed: " + LoadRunner.describe(e);
                for (int consumers : consumerCounts) {
                    rows.add(ours(events, consumers).failed(reason));
                    rows.add(raw(events, consumers).failed(reason));
                }
                return rows;
            }
            try {
                EventRecordDeserializer typed = new EventRecordDeserializer(context.events.serializer());
                for (int consumers : consumerCounts) {
                    rows.add(replay(raw(events, consumers), topic, events, consumers, new ByteArrayDeserializer(),
                            value -> value.length));
                    rows.add(replay(ours(events, consumers), topic, events, consumers, typed,
                            event -> event.streamVersion() + (event.data() == null ? 0 : 1)));
                }
            } finally {
                admin.deleteTopics(Set.of(topic)); // the embedded broker goes anyway; a given one keeps no benchmark data
            }
        }
        return rows;
    }

    /** The workload id: {@link #REPLAY} and the size, with {@link #PER_CORE} and the count for more than one consumer. */
    static String workloadId(int events, int consumers) {
        return REPLAY + events + (consumers > 1 ? PER_CORE + consumers : "");
    }

    /** The number of consumers of a workload id made by {@link #workloadId}. */
    static int consumersOf(String workloadId) {
        int at = workloadId.lastIndexOf(PER_CORE);
        return at < 0 ? 1 : Integer.parseInt(workloadId.substring(at + PER_CORE.length()));
    }

    private static String workload(int events, int consumers) {
        return String.format(Locale.ROOT, "replay of %,d events from Kafka, %s", events,
                consumers == 1 ? "1 consumer" : consumers + " consumers (1 per core)");
    }

    private static BenchContext.Subject ours(int events, int consumers) {
        return new BenchContext.Subject(workloadId(events, consumers), workload(events, consumers), "eventstore",
                "EventRecordDeserializer into typed events", ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT);
    }

    private static BenchContext.Subject raw(int events, int consumers) {
        return new BenchContext.Subject(workloadId(events, consumers), workload(events, consumers), "raw-consumer",
                "raw consumer, bytes (ceiling)", ResultRow.Role.CEILING, ResultRow.Basis.THROUGHPUT);
    }

    /** Writes {@code events} records in the bridge's format: the pool's events, round robin over the streams. */
    private void fill(Admin admin, String topic, int events) throws Exception {
        EventRecordEncoder encoder = new EventRecordEncoder(context.bridgeConfig("bench-replay", "bench_replay", "bench.replay",
                Map.of()));
        Map<String, Object> bulk = Map.of(ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (Producer<byte[], byte[]> producer = BenchKafka.producer(context.servers.bootstrapServers(),
                "bench-replay-fill", bulk)) {
            new TopicManager(admin, producer, true, PipelineWorkloads.PARTITIONS, (short) -1, -1, 1_048_576 + 65_536).ensureExists(topic);
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
     * {@code consumers} consumers read the whole topic from the beginning, each its share of the
     * partitions: first {@code events / 5} records unmeasured, then, with new consumers, every
     * record, timed from the start to the last record; the latency column is the time of each
     * {@code poll()}, deserialisation included (Kafka's consumer deserialises inside poll).
     */
    private <V> ResultRow replay(BenchContext.Subject subject, String topic, int events, int consumers,
                                 Deserializer<V> values, ToLongFunction<V> touch) {
        context.progress.startCase(subject.workload() + " · " + subject.subject(), Duration.ofSeconds(3 + events / 100_000));
        try {
            read(topic, Math.max(1, events / 5), consumers, values, touch, Latency.newHistogram());
            Histogram polls = Latency.newHistogram();
            long nanos = read(topic, events, consumers, values, touch, polls);
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

    /**
     * Reads {@code count} records of {@code topic} from its beginning with {@code consumers}
     * consumers on threads of their own, partitions dealt round robin; returns the nanoseconds
     * from the start until the last of them is done.
     */
    private <V> long read(String topic, int count, int consumers, Deserializer<V> values, ToLongFunction<V> touch,
                          Histogram polls) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> metadata = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (PartitionInfo info : metadata.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(120, count / 2000));
        AtomicLong read = new AtomicLong();
        ExecutorService threads = Executors.newFixedThreadPool(consumers, runnable -> {
            Thread thread = new Thread(runnable, "bench-replay-consumer");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Histogram>> done = new ArrayList<>();
            CountDownLatch ready = new CountDownLatch(consumers);
            CountDownLatch go = new CountDownLatch(1);
            for (int c = 0; c < consumers; c++) {
                List<TopicPartition> share = new ArrayList<>();
                for (int p = c; p < partitions.size(); p += consumers) {
                    share.add(partitions.get(p));
                }
                done.add(threads.submit(() -> consume(share, count, read, values, touch, deadline, ready, go)));
            }
            if (!ready.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the replay's consumers did not start within 60 s");
            }
            long started = System.nanoTime();
            go.countDown();
            for (Future<Histogram> consumer : done) {
                polls.add(consumer.get(Math.max(1, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(30),
                        TimeUnit.NANOSECONDS));
            }
            long elapsed = System.nanoTime() - started;
            if (read.get() < count) {
                throw new IllegalStateException(String.format(Locale.ROOT, "only %,d of %,d records read", read.get(), count));
            }
            return elapsed;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * One consumer's loop: its partitions from their beginning until they are read to the end
     * offsets taken at its start, or until all consumers together have read {@code count}.
     */
    private <V> Histogram consume(List<TopicPartition> share, int count, AtomicLong read, Deserializer<V> values,
                                  ToLongFunction<V> touch, long deadline, CountDownLatch ready, CountDownLatch go)
            throws InterruptedException {
        Histogram polls = Latency.newHistogram();
        long checksum = 0;
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), values)) {
            consumer.assign(share);
            consumer.seekToBeginning(share);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(share, Duration.ofSeconds(30)));
            for (TopicPartition partition : share) {
                consumer.position(partition, Duration.ofSeconds(30)); // resolves the seek before the clock starts
            }
            ready.countDown();
            go.await();
            while (read.get() < count && !ends.isEmpty()) {
                long t0 = System.nanoTime();
                ConsumerRecords<String, V> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    Latency.record(polls, System.nanoTime() - t0);
                }
                for (ConsumerRecord<String, V> record : records) {
                    checksum += touch.applyAsLong(record.value()) + record.key().length();
                }
                read.addAndGet(records.count());
                ends.entrySet().removeIf(end -> consumer.position(end.getKey()) >= end.getValue());
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "only %,d of %,d records read before the deadline",
                            read.get(), count));
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            sink.add(checksum); // consumers run on threads of their own
            return polls;
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.servers.bootstrapServers());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "eventstore-bench-replay");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        return config;
    }
}
