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
import java.util.concurrent.atomic.AtomicReference;
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
 * Draining a backlog (events appended while the publisher was stopped) to Kafka's acknowledgement,
 * for each publishing subject, Debezium alone ({@link CaptureOnly}) and a raw producer of the same
 * records (see {@link PipelineWorkloads}).
 */
final class PipelineDrain {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    private final PipelineWorkloads owner;
    private final BenchContext context;
    private final Admin admin;

    PipelineDrain(PipelineWorkloads owner, BenchContext context, Admin admin) {
        this.owner = owner;
        this.context = context;
        this.admin = admin;
    }

    List<ResultRow> drain(int events) {
        String id = PipelineWorkloads.DRAIN + events;
        String workload = String.format(Locale.ROOT, "backlog drain of %,d events to Kafka ack", events);
        BenchContext.Subject raw = new BenchContext.Subject(id, workload, "raw-producer",
                "raw Kafka producer, same records (ceiling)", ResultRow.Role.CEILING, ResultRow.Basis.THROUGHPUT);
        List<ResultRow> rows = new ArrayList<>();
        rows.add(drainBridge(new BenchContext.Subject(id, workload, "eventstore", "eventstore bridge (defaults)",
                ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT), "drain" + events, Map.of(), events));
        // The cost of producer.max.in.flight.requests=1 (the default, for brokers before KAFKA-15591), measured beside it.
        rows.add(drainBridge(new BenchContext.Subject(id, workload, "eventstore-inflight5",
                "eventstore bridge, 5 requests in flight", ResultRow.Role.REFERENCE, ResultRow.Basis.THROUGHPUT),
                "drainif" + events, Map.of(BridgeConfig.Key.PRODUCER_MAX_IN_FLIGHT, 5), events));
        for (ConnectPeers.Deployment deployment : ConnectPeers.Deployment.values()) {
            rows.add(drainConnect(new BenchContext.Subject(id, workload, deployment.subjectId,
                    deployment.subject + " (poll 10 ms, linger 0)", ResultRow.Role.PEER, ResultRow.Basis.THROUGHPUT),
                    deployment, events));
        }
        rows.add(drainCaptureOnly(new BenchContext.Subject(id, workload, "capture-only",
                "Debezium alone, records counted and discarded (no Kafka)", ResultRow.Role.REFERENCE,
                ResultRow.Basis.THROUGHPUT), events));
        context.progress.startCase(workload + " · " + raw.subject(), Duration.ofSeconds(5 + events / 20_000));
        try {
            rows.add(rawProducer(raw, "bench.drain" + events + ".game", "bench.drain" + events + "raw.game", events));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            rows.add(raw.failed(LoadRunner.describe(e)));
        }
        return rows;
    }

    /** A publisher under a drain: runs on its slot and counts what Kafka acknowledged. */
    private interface Drained extends AutoCloseable {

        long published();

        /** Why it stopped, or {@code null} while it runs. */
        String failure();

        @Override
        void close();
    }

    /** Starts a {@link Drained} on the drain's slot; {@code first}: the start that creates the slot. */
    @FunctionalInterface
    private interface DrainStarter {
        Drained start(boolean first) throws Exception;
    }

    /** A bridge with {@code overrides} drains a backlog ({@link #drain(BenchContext.Subject, String, int, DrainStarter)}). */
    private ResultRow drainBridge(BenchContext.Subject subject, String name, Map<String, Object> overrides, int events) {
        String prefix = "bench." + name;
        return drain(subject, name, events, first -> {
            if (first) {
                owner.createTopic(prefix + ".game");
            }
            EventBridge bridge = EventBridge.start(context.bridgeConfig("bench-" + name, PipelineWorkloads.SLOT_PREFIX + name, prefix, overrides), first);
            return drained(bridge, bridge.ready(), () -> bridge.metrics().publishedCount(),
                    () -> bridge.terminated().isCompletedExceptionally() ? "the bridge stopped: " + bridge.health().failure() : null,
                    first);
        }, false, null);
    }

    /**
     * The same drain through a connector on the Kafka Connect worker: created on the first start,
     * stopped through the REST API (its offsets committed) while the backlog is appended, resumed
     * for the measured drain; what it published is its topic's end offsets.
     */
    private ResultRow drainConnect(BenchContext.Subject subject, ConnectPeers.Deployment deployment, int events) {
        String name = (deployment == ConnectPeers.Deployment.EVENT_ROUTER ? "cnrouterdrain" : "cnoursdrain") + events;
        String topic = ConnectPeers.topic(deployment, name);
        String connector = "bench-" + name;
        AtomicReference<ConnectPeers> worker = new AtomicReference<>();
        return drain(subject, name, events, first -> {
            ConnectPeers connect = owner.peers();
            worker.set(connect);
            if (first) {
                owner.createTopic(topic);
            }
            // Read before the connector runs: a resumed connector publishes at once, and records it
            // publishes before the baseline would never be counted.
            long baseline = ConnectPeers.records(admin, topic);
            if (first) {
                connect.create(connector, ConnectPeers.config(deployment, name, context.servers.store(),
                        BenchContext.STORE_SCHEMA.value(), PipelineWorkloads.SLOT_PREFIX + name));
            } else {
                connect.resume(connector);
            }
            AtomicLong seen = new AtomicLong();
            AtomicLong readAt = new AtomicLong();
            return drained(() -> connect.stop(connector), CompletableFuture.completedFuture(null), () -> {
                long now = System.nanoTime();
                if (now - readAt.get() > 10_000_000L) { // end offsets read at most every 10 ms
                    readAt.set(now);
                    try {
                        seen.set(ConnectPeers.records(admin, topic) - baseline);
                    } catch (Exception e) {
                        // read again at the next call
                    }
                }
                return seen.get();
            }, () -> connect.failure(connector), first);
        }, true, () -> {
            if (worker.get() != null) {
                worker.get().delete(connector);
            }
        });
    }

    /**
     * The same drain through Debezium alone: what the capture side delivers on this machine when
     * nothing is mapped or sent ({@link CaptureOnly}), the limit of any Debezium-based publisher here.
     */
    private ResultRow drainCaptureOnly(BenchContext.Subject subject, int events) {
        String name = "captureonly" + events;
        return drain(subject, name, events, first -> {
            CaptureOnly capture = CaptureOnly.start(context.servers.store(), BenchContext.STORE_SCHEMA, PipelineWorkloads.SLOT_PREFIX + name);
            return drained(capture, capture.ready(), capture::captured,
                    () -> capture.failed() ? "Debezium (capture only) stopped" : null, first);
        }, false, null);
    }

    /**
     * A publisher just started, as a {@link Drained}. On its {@code first} start it is waited for
     * until it runs, so that its slot exists before the probe; closed if it does not.
     */
    private static Drained drained(AutoCloseable publisher, CompletableFuture<Void> ready, LongSupplier published,
                                   Supplier<String> failure, boolean first) throws Exception {
        if (first) {
            try {
                ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                publisher.close();
                throw e;
            }
        }
        return new Drained() {
            @Override
            public long published() {
                return published.getAsLong();
            }

            @Override
            public String failure() {
                return failure.get();
            }

            @Override
            public void close() {
                try {
                    publisher.close();
                } catch (Exception e) {
                    throw new IllegalStateException("could not stop the publisher: " + e.getMessage(), e);
                }
            }
        };
    }

    /**
     * Drains a backlog: the publisher is started to create its slot and publishes a probe; it is
     * warmed up until this JVM's JIT compilers settle ({@link JitWarmUp}: the measured drain is a
     * long-running publisher's steady state), by backlogs appended while it runs, or with
     * {@code restartRounds} (a Connect task: each resume is a new task) by backlogs appended while
     * it is stopped and drained as the measured one is; the backlog is appended while it is down;
     * it is started again and timed from its first acknowledged record to its last.
     * {@code finish}, if any, runs at the end (a connector deleted).
     */
    private ResultRow drain(BenchContext.Subject subject, String name, int events, DrainStarter starter,
                            boolean restartRounds, AutoCloseable finish) {
        String slot = PipelineWorkloads.SLOT_PREFIX + name;
        context.progress.startCase(subject.workload() + " · " + subject.subject(), Duration.ofSeconds(10 + events / 10_000));
        try {
            JitWarmUp.Jvm jvm = JitWarmUp.Jvm.current();
            JitWarmUp.Result warm = null;
            try (Drained publisher = starter.start(true)) {
                context.store.append("game-" + name + "-probe", ExpectedVersion.ANY, List.of(context.events.get(0)));
                awaitPublished(publisher, 1, PROBE_TIMEOUT);
                if (!restartRounds) { // backlogs appended while it runs
                    long[] published = {1};
                    warm = JitWarmUp.until(jvm, warmUpEvents(events), context.settings, (round, n) -> {
                        context.appendBacklog(name + "x" + round, n);
                        published[0] += n;
                        awaitPublished(publisher, published[0], drainTimeout(n));
                    }, context.progress);
                }
            }
            if (restartRounds) { // backlogs appended while it is stopped, then drained by a new start
                warm = JitWarmUp.until(jvm, warmUpEvents(events), context.settings, (round, n) -> {
                    context.appendBacklog(name + "x" + round, n);
                    try (Drained publisher = starter.start(false)) {
                        awaitPublished(publisher, n, drainTimeout(n));
                    }
                }, context.progress);
            }
            context.progress.detail(String.format(Locale.ROOT, "appending the backlog of %,d events", events));
            context.appendBacklog(name, events);
            context.settle();
            context.progress.detail("draining");
            long started = System.nanoTime();
            long first;
            long done;
            CpuUsage.Sample cpuFrom;
            CpuUsage.Sample cpuTo;
            Map<Long, Long> compilerFrom;
            Map<Long, Long> compilerTo;
            Drained publisher = starter.start(false);
            try {
                Duration timeout = drainTimeout(events);
                first = awaitPublished(publisher, 1, timeout);
                cpuFrom = CpuUsage.sample();
                compilerFrom = jvm.compilerThreads();
                done = awaitPublished(publisher, events, timeout);
                cpuTo = CpuUsage.sample();
                compilerTo = jvm.compilerThreads();
            } finally {
                try {
                    publisher.close();
                } catch (RuntimeException e) {
                    // measured already; finish (a connector deleted) and the slot's drop clean up
                }
            }
            double seconds = (done - first) / 1e9;
            return subject.measured(events / seconds, null, String.format(Locale.ROOT,
                    "after %s: first record acknowledged %.1f s after start; %,d events in %.1f s; %s; %s",
                    warm, (first - started) / 1e9, events, seconds, CpuUsage.describe(cpuFrom, cpuTo, events),
                    JitWarmUp.duringDrain("this JVM", compilerFrom, compilerTo, cpuFrom.jvm(), cpuTo.jvm())));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return subject.failed(LoadRunner.describe(e instanceof ExecutionException ? e.getCause() : e));
        } finally {
            if (finish != null) {
                try {
                    finish.close();
                } catch (Exception e) {
                    // the run's clean-up drops what is left
                }
            }
            owner.dropSlotQuietly(slot);
        }
    }

    /** How long a drain of {@code events} may take before it is a failure: 120 s, or 1 ms per event. */
    static Duration drainTimeout(int events) {
        return Duration.ofSeconds(Math.max(120, events / 1000));
    }

    /** Events of each warm-up drain: a fifth of the measured drain's, at most 20,000. */
    static int warmUpEvents(int events) {
        return Math.max(1, Math.min(20_000, events / 5));
    }

    /** Returns when {@code publisher} has {@code count} events acknowledged (the time it saw it). */
    private static long awaitPublished(Drained publisher, long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long now = System.nanoTime();
            if (publisher.published() >= count) {
                return now;
            }
            String failure = publisher.failure();
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            if (now > deadline) {
                throw new IllegalStateException("published " + publisher.published() + " of " + count + " events within "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(2); // polling the publisher's counter, bounded by the deadline
        }
    }

    /**
     * The ceiling: records with the bytes the bridge published (key, value, headers, read back
     * from its topic), sent by a producer with the bridge's settings to a topic with the same
     * partitions on the same broker, as fast as it takes them.
     */
    private ResultRow rawProducer(BenchContext.Subject subject, String sourceTopic, String topic, int events)
            throws Exception {
        List<ConsumerRecord<byte[], byte[]>> sample = BenchKafka.readBack(context.servers.bootstrapServers(), sourceTopic, Math.min(events, 1000));
        if (sample.isEmpty()) {
            return subject.failed("no record of the bridge to copy");
        }
        owner.createTopic(topic);
        Histogram histogram = Latency.newHistogram();
        AtomicLong lastAck = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long sent;
        CpuUsage.Sample cpuFrom;
        CpuUsage.Sample cpuTo;
        try (Producer<byte[], byte[]> producer = BenchKafka.producer(context.servers.bootstrapServers(), "bench-raw-producer")) {
            BenchKafka.acceptedByEveryPartition(producer, topic, sample.get(0));
            for (int i = 0, warm = warmUpEvents(events); i < warm; i++) { // unmeasured, the size of one warm-up drain
                ConsumerRecord<byte[], byte[]> record = sample.get(i % sample.size());
                producer.send(new ProducerRecord<>(topic, null, record.timestamp(), record.key(), record.value(),
                        record.headers()));
            }
            producer.flush();
            cpuFrom = CpuUsage.sample();
            sent = System.nanoTime();
            for (int i = 0; i < events; i++) {
                ConsumerRecord<byte[], byte[]> record = sample.get(i % sample.size());
                long t0 = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, null, record.timestamp(), record.key(), record.value(),
                        record.headers()), (metadata, error) -> {
                            long now = System.nanoTime();
                            if (error != null) {
                                failures.incrementAndGet();
                            } else {
                                Latency.record(histogram, now - t0);
                            }
                            lastAck.accumulateAndGet(now, Math::max);
                        });
            }
            producer.flush();
            cpuTo = CpuUsage.sample();
        }
        if (failures.get() > 0) {
            return subject.failed(failures.get() + " records refused by Kafka");
        }
        double seconds = (lastAck.get() - sent) / 1e9;
        double bytes = sample.stream().mapToInt(r -> r.serializedKeySize() + r.serializedValueSize()).average().orElse(0);
        return subject.measured(events / seconds, Latency.of(histogram), String.format(Locale.ROOT,
                "latency send to ack; key+value %.0f B on average, with the bridge's headers; %s", bytes,
                CpuUsage.describe(cpuFrom, cpuTo, events)));
    }
}
