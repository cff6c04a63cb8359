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
import java.util.Random;
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
 * Latency from an append's commit to a Kafka consumer's receipt while the game simulation appends
 * at set rates, for one publishing subject at a time (see {@link PipelineWorkloads}).
 */
final class PipelineLatency {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(30);
    /** The workload of single events after a quiet spell ({@link #latency(Variant, int)}). */
    static final String SPORADIC = "pipeline.sporadic";
    /** The quiet spell before each of them: longer than the 200 ms after which the bridge counts as idle. */
    static final Duration SPORADIC_GAP = Duration.ofSeconds(2);
    /**
     * Up to this much is added to each gap, uniformly and seeded: a fixed gap appends every event
     * at the same point of the capture's read cadence, which then measures that point, not the
     * wait after a quiet spell.
     */
    static final Duration SPORADIC_JITTER = Duration.ofMillis(100);

    private final PipelineWorkloads owner;
    private final BenchContext context;

    PipelineLatency(PipelineWorkloads owner, BenchContext context) {
        this.owner = owner;
        this.context = context;
    }

    /**
     * One way of publishing: a bridge with settings overrides, or ({@code connect} set) a
     * connector on the Kafka Connect worker.
     */
    record Variant(String subjectId, String subject, ResultRow.Role role, String name, Map<String, Object> overrides,
                           ConnectPeers.Deployment connect) {

        String topic() {
            return connect != null ? ConnectPeers.topic(connect, name) : "bench." + name + ".game";
        }

        String slot() {
            return PipelineWorkloads.SLOT_PREFIX + name;
        }

        String idHeader() {
            return connect != null ? connect.idHeader : EventRecordHeaders.ID;
        }
    }

    static Variant connectVariant(ConnectPeers.Deployment deployment, String name) {
        return new Variant(deployment.subjectId, deployment.subject + " (poll 10 ms, linger 0)", ResultRow.Role.PEER, name,
                null, deployment);
    }

    List<ResultRow> latency(Variant variant) {
        return latency(variant, 0, false);
    }

    /**
     * The variant's latency at each rate, then, {@code sporadic} above 0, of that many single
     * events appended {@link #SPORADIC_GAP} apart: each after a quiet spell, as an application
     * that appends now and then sees it; then, {@code capacity} set, the highest rate it keeps up
     * with ({@link PipelineCapacity}).
     */
    List<ResultRow> latency(Variant variant, int sporadic, boolean capacity) {
        List<Integer> rates = context.settings.pipelineRates();
        List<ResultRow> rows = new ArrayList<>();
        Duration perRate = context.settings.pipelineWarmup().plus(context.settings.pipelineDuration());
        context.progress.startCase("pipeline latency · " + variant.subject() + ": starting",
                perRate.plusSeconds(5));
        BenchKafka.Receiver receiver = null;
        AutoCloseable publisher = null;
        Producer<byte[], byte[]> producer = null;
        String failure = null;
        try {
            owner.createTopic(variant.topic());
            receiver = new BenchKafka.Receiver(context.servers.bootstrapServers(), variant.topic(), variant.idHeader());
            if (variant.connect() != null) {
                ConnectPeers connect = owner.peers();
                String connector = "bench-" + variant.name();
                connect.create(connector, ConnectPeers.config(variant.connect(), variant.name(), context.servers.store(),
                        BenchContext.STORE_SCHEMA.value(), variant.slot()));
                publisher = () -> connect.delete(connector);
            } else {
                EventBridge bridge = EventBridge.start(context.bridgeConfig("bench-" + variant.name(), variant.slot(),
                        "bench." + variant.name(), variant.overrides()), true);
                publisher = bridge;
                bridge.ready().get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            probe(receiver, "game-probe" + variant.name());
            burst(receiver, variant.name());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failure = "did not start: " + LoadRunner.describe(e instanceof ExecutionException ? e.getCause() : e);
        }
        try {
            boolean first = true;
            for (int rate : rates) {
                String id = PipelineWorkloads.LATENCY + rate;
                String workload = String.format(Locale.ROOT, "pipeline commit to consumer at %,d events/s", rate);
                BenchContext.Subject subject = new BenchContext.Subject(id, workload, variant.subjectId(),
                        variant.subject(), variant.role(), ResultRow.Basis.P99_LATENCY);
                if (!first) {
                    context.progress.startCase(workload + " · " + variant.subject(), perRate);
                } else {
                    context.progress.detail(workload);
                }
                first = false;
                if (failure != null) {
                    rows.add(subject.failed(failure));
                    continue;
                }
                try {
                    rows.add(measureLatency(subject, rate, receiver, variant.name()));
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    rows.add(subject.failed(LoadRunner.describe(e)));
                }
            }
            if (sporadic > 0) {
                BenchContext.Subject subject = new BenchContext.Subject(SPORADIC, String.format(Locale.ROOT,
                        "pipeline commit to consumer, single events %d s apart", SPORADIC_GAP.toSeconds()),
                        variant.subjectId(), variant.subject(), variant.role(), ResultRow.Basis.P99_LATENCY);
                context.progress.startCase(subject.workload() + " · " + variant.subject(),
                        SPORADIC_GAP.multipliedBy(sporadic + 1));
                if (failure != null) {
                    rows.add(subject.failed(failure));
                } else {
                    try {
                        rows.add(measureSporadic(subject, sporadic, receiver, variant.name()));
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                        }
                        rows.add(subject.failed(LoadRunner.describe(e)));
                    }
                }
            }
            if (capacity) {
                BenchContext.Subject subject = new BenchContext.Subject(PipelineCapacity.ID, PipelineCapacity.WORKLOAD,
                        variant.subjectId(), variant.subject(), variant.role(), ResultRow.Basis.THROUGHPUT);
                context.progress.startCase(subject.workload() + " · " + variant.subject(), Duration.ofSeconds(45));
                if (failure != null) {
                    rows.add(subject.failed(failure));
                } else {
                    try {
                        rows.add(new PipelineCapacity(context).measure(subject, receiver, variant.name()));
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                        }
                        rows.add(subject.failed(LoadRunner.describe(e instanceof ExecutionException ? e.getCause() : e)));
                    }
                }
            }
        } finally {
            PipelineWorkloads.closeQuietly(publisher);
            PipelineWorkloads.closeQuietly(receiver);
            if (producer != null) {
                producer.close(Duration.ofSeconds(10));
            }
            owner.dropSlotQuietly(variant.slot());
        }
        return rows;
    }

    /**
     * {@code events} single events, each appended {@link #SPORADIC_GAP} and up to
     * {@link #SPORADIC_JITTER} after the previous one arrived, and the latency of each from its
     * append's return to the consumer's receipt.
     */
    private ResultRow measureSporadic(BenchContext.Subject subject, int events, BenchKafka.Receiver receiver, String name)
            throws InterruptedException {
        Histogram histogram = Latency.newHistogram();
        Random jitter = new Random(events); // the same gaps for every subject of a run
        long gaps = 0;
        for (int i = 0; i < events; i++) {
            long gap = SPORADIC_GAP.toMillis() + jitter.nextInt((int) SPORADIC_JITTER.toMillis() + 1);
            gaps += gap;
            Thread.sleep(gap); // the quiet spell before each event, the measured condition
            AppendResult result = context.store.append("game-sporadic" + name, ExpectedVersion.ANY,
                    List.of(context.events.get(i)));
            long committed = System.nanoTime();
            long id = result.eventIds().get(0);
            long deadline = committed + ARRIVAL_TIMEOUT.toNanos();
            Long received;
            while ((received = receiver.receivedAt(id)) == null) {
                if (System.nanoTime() > deadline) {
                    return subject.failed(String.format(Locale.ROOT, "event %d of %d not received within %d s", i + 1,
                            events, ARRIVAL_TIMEOUT.toSeconds()));
                }
                Thread.sleep(1); // waiting for the event, bounded by the deadline
            }
            Latency.record(histogram, received - committed);
        }
        return subject.measured(events / (gaps / 1e3), Latency.of(histogram),
                String.format(Locale.ROOT, "%d events, each %d s and up to %d ms (seeded) after the previous one arrived",
                        events, SPORADIC_GAP.toSeconds(), SPORADIC_JITTER.toMillis()));
    }

    private ResultRow measureLatency(BenchContext.Subject subject, int rate, BenchKafka.Receiver receiver, String name)
            throws InterruptedException {
        Map<Long, Long> commits = new ConcurrentHashMap<>();
        Duration warmup = context.settings.pipelineWarmup();
        Duration duration = context.settings.pipelineDuration();
        int writers = PipelineWorkloads.simulationWriters(rate);
        GameSimulation simulation = GameSimulation.builder(context.store)
                .eventsPerSecond(rate)
                .writers(writers)
                .seed(rate)
                .streamPrefix("game-" + name + "r" + rate)
                .onAppend(result -> {
                    long now = System.nanoTime();
                    for (Long id : result.eventIds()) {
                        commits.put(id, now);
                    }
                })
                .build();
        long start = System.nanoTime();
        long measureStart = start + warmup.toNanos();
        long measureEnd = measureStart + duration.toNanos();
        simulation.runFor(warmup.plus(duration));
        List<Map.Entry<Long, Long>> measured = new ArrayList<>();
        for (Map.Entry<Long, Long> commit : commits.entrySet()) {
            if (commit.getValue() - measureStart >= 0 && commit.getValue() - measureEnd < 0) {
                measured.add(commit);
            }
        }
        long deadline = System.nanoTime() + ARRIVAL_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && !receiver.receivedAll(measured)) {
            Thread.sleep(20); // waiting for the last records, bounded by the deadline
        }
        Histogram histogram = Latency.newHistogram();
        long missing = 0;
        for (Map.Entry<Long, Long> commit : measured) {
            Long received = receiver.receivedAt(commit.getKey());
            if (received == null) {
                missing++;
            } else {
                Latency.record(histogram, received - commit.getValue());
            }
        }
        receiver.forget(commits.keySet());
        if (measured.isEmpty()) {
            return subject.failed("the simulation appended nothing in the measured window");
        }
        double achieved = measured.size() / (duration.toNanos() / 1e9);
        String note = String.format(Locale.ROOT, "%,d events by %d simulation writers%s%s", measured.size(), writers,
                achieved < 0.9 * rate ? String.format(Locale.ROOT, "; only %.0f%% of the rate reached", 100 * achieved / rate) : "",
                missing > 0 ? String.format(Locale.ROOT, "; %,d not received within %d s", missing, ARRIVAL_TIMEOUT.toSeconds()) : "");
        if (missing > 0) {
            return subject.failed(note);
        }
        return subject.measured(achieved, Latency.of(histogram), note);
    }

    /**
     * Pushes a burst of events through the variant just started and waits until the consumer has
     * them, unmeasured: every variant's path (the simulation and the library too) is compiled by the
     * JIT before its own measurement. Without it, whichever variant ran first measured the JIT:
     * seconds of latency on this 2-core machine, whichever it was.
     */
    private void burst(BenchKafka.Receiver receiver, String name) throws Exception {
        int events = context.settings.pipelineBurstEvents();
        context.progress.detail(String.format(Locale.ROOT, "warming up with %,d events (unmeasured)", events));
        long last = context.appendBacklog("burst" + name, events);
        long deadline = System.nanoTime() + Math.max(60, events / 500) * 1_000_000_000L;
        while (receiver.receivedAt(last) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the warm-up burst did not reach the consumer in time");
            }
            Thread.sleep(20); // bounded by the deadline
        }
        // The simulation's own code is cold until it first runs, and the burst does not run it: warm
        // it before each variant's measurement. Alone it did not remove the first variant's extra
        // milliseconds (see the order of the variants in run()).
        context.progress.detail("warming up the game simulation (unmeasured)");
        int rate = context.settings.pipelineRates().get(0);
        GameSimulation.builder(context.store).eventsPerSecond(rate).writers(PipelineWorkloads.simulationWriters(rate)).seed(-rate)
                .streamPrefix("game-warm" + name).build().runFor(context.settings.pipelineWarmup().multipliedBy(2));
        context.settle();
        context.progress.detail("");
    }

    /** Appends one event and waits until the consumer has it: the publisher streams. */
    private void probe(BenchKafka.Receiver receiver, String stream) throws InterruptedException {
        AppendResult result = context.store.append(stream, ExpectedVersion.ANY, List.of(context.events.get(0)));
        long id = result.eventIds().get(0);
        long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
        while (receiver.receivedAt(id) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a probe event did not reach the consumer within " + PROBE_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(10); // waiting for the probe, bounded by the deadline
        }
    }
}
