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
 * From PostgreSQL to Kafka, on the same store, server and broker:
 * <ul>
 *   <li>latency from an append's commit to a Kafka consumer's receipt while the game simulation
 *       appends at set rates: our bridge with its defaults, the bridge with Debezium's default
 *       latency settings (poll.interval.ms 500, the producer's default linger), and Debezium's
 *       PostgreSQL connector on a Kafka Connect worker with Debezium's EventRouter and with the
 *       product's own transform ({@link ConnectPeers});</li>
 *   <li>draining a backlog (events appended while the publisher was stopped) to Kafka's
 *       acknowledgement: the same subjects, Debezium alone ({@link CaptureOnly}), and a raw
 *       producer sending records of the same bytes to the same broker.</li>
 * </ul>
 */
final class PipelineWorkloads {

    static final String LATENCY = "pipeline.latency.r";
    static final String DRAIN = "pipeline.drain.n";

    static final int PARTITIONS = 6;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(30);
    private static final String SLOT_PREFIX = "bench_store_";

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
        return settings.pipelineRates().size() * 4 + settings.drainEvents().size() * 6;
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
            // the router are compared in the same conditions.
            List<Variant> variants = List.of(
                    new Variant("debezium-defaults", "bridge with Debezium defaults (poll 500 ms, linger " + linger + " ms)",
                            ResultRow.Role.PEER, "dbzdefaults",
                            Map.of(BridgeConfig.Key.POLL_INTERVAL_MS, 500L, BridgeConfig.Key.PRODUCER_LINGER_MS, linger), null),
                    new Variant("eventstore", context.settings.bridgeSettings().isEmpty()
                            ? "eventstore bridge (defaults: poll 10 ms, linger 0)"
                            : "eventstore bridge with " + new java.util.TreeMap<>(context.settings.bridgeSettings()),
                            ResultRow.Role.OURS, "ours", Map.of(), null),
                    connectVariant(ConnectPeers.Deployment.EVENT_ROUTER, "cnrouter"),
                    connectVariant(ConnectPeers.Deployment.EVENTSTORE, "cnours"));
            for (Variant variant : variants) {
                rows.addAll(latency(variant));
            }
            for (int events : context.settings.drainEvents()) {
                rows.addAll(drain(events));
            }
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

    /**
     * One way of publishing: a bridge with settings overrides, or ({@code connect} set) a
     * connector on the Kafka Connect worker.
     */
    private record Variant(String subjectId, String subject, ResultRow.Role role, String name, Map<String, Object> overrides,
                           ConnectPeers.Deployment connect) {

        String topic() {
            return connect != null ? ConnectPeers.topic(connect, name) : "bench." + name + ".game";
        }

        String slot() {
            return SLOT_PREFIX + name;
        }

        String idHeader() {
            return connect != null ? connect.idHeader : EventRecordHeaders.ID;
        }
    }

    private static Variant connectVariant(ConnectPeers.Deployment deployment, String name) {
        return new Variant(deployment.subjectId, deployment.subject + " (poll 10 ms, linger 0)", ResultRow.Role.PEER, name,
                null, deployment);
    }

    /** The Connect worker, started at its first use and shared by every Connect subject of the run. */
    private ConnectPeers peers() {
        if (peers == null) {
            context.progress.detail("starting the Kafka Connect worker");
            peers = ConnectPeers.start(context.servers.bootstrapServers());
        }
        return peers;
    }

    // ------------------------------------------------------------------ latency

    private List<ResultRow> latency(Variant variant) {
        List<Integer> rates = context.settings.pipelineRates();
        List<ResultRow> rows = new ArrayList<>();
        Duration perRate = context.settings.pipelineWarmup().plus(context.settings.pipelineDuration());
        context.progress.startCase("pipeline latency · " + variant.subject() + ": starting",
                perRate.plusSeconds(5));
        Receiver receiver = null;
        AutoCloseable publisher = null;
        Producer<byte[], byte[]> producer = null;
        String failure = null;
        try {
            createTopic(variant.topic());
            receiver = new Receiver(context.servers.bootstrapServers(), variant.topic(), variant.idHeader());
            if (variant.connect() != null) {
                ConnectPeers connect = peers();
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
                String id = LATENCY + rate;
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
        } finally {
            closeQuietly(publisher);
            closeQuietly(receiver);
            if (producer != null) {
                producer.close(Duration.ofSeconds(10));
            }
            dropSlotQuietly(variant.slot());
        }
        return rows;
    }

    private ResultRow measureLatency(BenchContext.Subject subject, int rate, Receiver receiver, String name)
            throws InterruptedException {
        Map<Long, Long> commits = new ConcurrentHashMap<>();
        Duration warmup = context.settings.pipelineWarmup();
        Duration duration = context.settings.pipelineDuration();
        int writers = simulationWriters(rate);
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
    private void burst(Receiver receiver, String name) throws Exception {
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
        GameSimulation.builder(context.store).eventsPerSecond(rate).writers(simulationWriters(rate)).seed(-rate)
                .streamPrefix("game-warm" + name).build().runFor(context.settings.pipelineWarmup().multipliedBy(2));
        context.settle();
        context.progress.detail("");
    }

    /** Appends one event and waits until the consumer has it: the publisher streams. */
    private void probe(Receiver receiver, String stream) throws InterruptedException {
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


    // ------------------------------------------------------------------ backlog drain

    private List<ResultRow> drain(int events) {
        String id = DRAIN + events;
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
                createTopic(prefix + ".game");
            }
            EventBridge bridge = EventBridge.start(context.bridgeConfig("bench-" + name, SLOT_PREFIX + name, prefix, overrides), first);
            return drained(bridge, bridge.ready(), () -> bridge.metrics().publishedCount(),
                    () -> bridge.terminated().isCompletedExceptionally() ? "the bridge stopped: " + bridge.health().failure() : null,
                    first);
        });
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
        return drain(subject, name, events, first -> {
            ConnectPeers connect = peers();
            if (first) {
                createTopic(topic);
                connect.create(connector, ConnectPeers.config(deployment, name, context.servers.store(),
                        BenchContext.STORE_SCHEMA.value(), SLOT_PREFIX + name));
            } else {
                connect.resume(connector);
            }
            long baseline = ConnectPeers.records(admin, topic);
            AtomicLong seen = new AtomicLong();
            AtomicLong readAt = new AtomicLong();
            AutoCloseable stop = first ? () -> connect.stop(connector) : () -> connect.delete(connector);
            return drained(stop, CompletableFuture.completedFuture(null), () -> {
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
        });
    }

    /**
     * The same drain through Debezium alone: what the capture side delivers on this machine when
     * nothing is mapped or sent ({@link CaptureOnly}), the limit of any Debezium-based publisher here.
     */
    private ResultRow drainCaptureOnly(BenchContext.Subject subject, int events) {
        String name = "captureonly" + events;
        return drain(subject, name, events, first -> {
            CaptureOnly capture = CaptureOnly.start(context.servers.store(), BenchContext.STORE_SCHEMA, SLOT_PREFIX + name);
            return drained(capture, capture.ready(), capture::captured,
                    () -> capture.failed() ? "Debezium (capture only) stopped" : null, first);
        });
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
     * Drains a backlog: the publisher is started once to create its slot, publishes a probe and an
     * unmeasured warm-up backlog (the measured drain is a long-running publisher's steady state),
     * and stops; the backlog is appended while it is down; it is started again and timed from its
     * first acknowledged record to its last.
     */
    private ResultRow drain(BenchContext.Subject subject, String name, int events, DrainStarter starter) {
        String slot = SLOT_PREFIX + name;
        context.progress.startCase(subject.workload() + " · " + subject.subject(), Duration.ofSeconds(10 + events / 10_000));
        int warm = warmUpEvents(events);
        try {
            try (Drained publisher = starter.start(true)) {
                context.store.append("game-" + name + "-probe", ExpectedVersion.ANY, List.of(context.events.get(0)));
                awaitPublished(publisher, 1, PROBE_TIMEOUT);
                context.progress.detail(String.format(Locale.ROOT, "warming up: %,d events", warm));
                context.appendBacklog(name + "x", warm);
                awaitPublished(publisher, 1 + warm, Duration.ofSeconds(Math.max(120, warm / 1000)));
            }
            context.progress.detail(String.format(Locale.ROOT, "appending the backlog of %,d events", events));
            context.appendBacklog(name, events);
            context.settle();
            context.progress.detail("draining");
            long started = System.nanoTime();
            long first;
            long done;
            try (Drained publisher = starter.start(false)) {
                Duration timeout = Duration.ofSeconds(Math.max(120, events / 1000));
                first = awaitPublished(publisher, 1, timeout);
                done = awaitPublished(publisher, events, timeout);
            }
            double seconds = (done - first) / 1e9;
            return subject.measured(events / seconds, null, String.format(Locale.ROOT,
                    "after a %,d-event warm-up: first record acknowledged %.1f s after start; %,d events in %.1f s",
                    warm, (first - started) / 1e9, events, seconds));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return subject.failed(LoadRunner.describe(e instanceof ExecutionException ? e.getCause() : e));
        } finally {
            dropSlotQuietly(slot);
        }
    }

    /** Events each drain subject handles, unmeasured, before its measured drain: a fifth, at most 20,000. */
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
        List<ConsumerRecord<byte[], byte[]>> sample = readBack(sourceTopic, Math.min(events, 1000));
        if (sample.isEmpty()) {
            return subject.failed("no record of the bridge to copy");
        }
        createTopic(topic);
        Histogram histogram = Latency.newHistogram();
        AtomicLong lastAck = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long sent;
        try (Producer<byte[], byte[]> producer = producer(context.servers.bootstrapServers(), "bench-raw-producer")) {
            acceptedByEveryPartition(producer, topic, sample.get(0));
            for (int i = 0, warm = warmUpEvents(events); i < warm; i++) { // unmeasured, as the bridges' warm-up drain
                ConsumerRecord<byte[], byte[]> record = sample.get(i % sample.size());
                producer.send(new ProducerRecord<>(topic, null, record.timestamp(), record.key(), record.value(),
                        record.headers()));
            }
            producer.flush();
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
        }
        if (failures.get() > 0) {
            return subject.failed(failures.get() + " records refused by Kafka");
        }
        double seconds = (lastAck.get() - sent) / 1e9;
        double bytes = sample.stream().mapToInt(r -> r.serializedKeySize() + r.serializedValueSize()).average().orElse(0);
        return subject.measured(events / seconds, Latency.of(histogram), String.format(Locale.ROOT,
                "latency send to ack; key+value %.0f B on average, with the bridge's headers", bytes));
    }

    /**
     * Sends one record to each partition and waits for it, before anything is timed: on a topic
     * just created, the broker can refuse a partition's first batch (not yet its leader) after the
     * admin client reported a leader, and the idempotent producer's batches behind it then loop on
     * OUT_OF_ORDER_SEQUENCE_NUMBER. Bounded: 30 s per partition. Without a {@code sample}, the
     * records carry no event id header, so no consumer of the benchmark counts them.
     */
    private static void acceptedByEveryPartition(Producer<byte[], byte[]> producer, String topic,
                                                 ConsumerRecord<byte[], byte[]> sample) throws Exception {
        for (PartitionInfo partition : producer.partitionsFor(topic)) {
            ProducerRecord<byte[], byte[]> record = sample == null
                    ? new ProducerRecord<>(topic, partition.partition(), "bench-probe".getBytes(StandardCharsets.UTF_8),
                            "{}".getBytes(StandardCharsets.UTF_8))
                    : new ProducerRecord<>(topic, partition.partition(), sample.timestamp(), sample.key(), sample.value(),
                            sample.headers());
            producer.send(record).get(30, TimeUnit.SECONDS);
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> readBack(String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(context.servers.bootstrapServers())) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (records.size() < count) {
                        records.add(record);
                    }
                }
            }
        }
        return records;
    }

    // ------------------------------------------------------------------ Kafka and slot helpers

    static Producer<byte[], byte[]> producer(String bootstrapServers, String clientId) {
        return producer(bootstrapServers, clientId, Map.of());
    }

    /** {@link #producer(String, String)} with some settings changed (larger batches to fill a topic). */
    static Producer<byte[], byte[]> producer(String bootstrapServers, String clientId, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        // The bridge's producer settings (EventBridge): acks=all, idempotent, linger 0.
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576 + 65_536);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.putAll(overrides);
        return new KafkaProducer<>(config);
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "eventstore-bench-consumer");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(config);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        return partitions;
    }

    /**
     * Creates {@code topic} as the bridge would (cleanup.policy=delete) unless it exists, and
     * returns once every partition has a leader: an idempotent producer's first send to a
     * partition without one is refused, and its batches behind it then fail out of sequence.
     */
    private void createTopic(String topic) throws Exception {
        NewTopic newTopic = new NewTopic(topic, Optional.of(PARTITIONS), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));
        try {
            admin.createTopics(Set.of(newTopic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(Set.of(topic)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(topic);
                if (description != null && !description.partitions().isEmpty() && description.partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has no leader for every partition after 30 s");
            }
            Thread.sleep(50); // polling the broker's metadata, bounded by the deadline
        }
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
    private void dropSlotQuietly(String slot) {
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

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing after the measurement; a failure here changes no figure
        }
    }

    /**
     * A Kafka consumer on one topic in a thread of its own, noting when each event id (from a
     * header) arrives. Reads from the topic's end at the time it starts.
     */
    static final class Receiver implements AutoCloseable {

        private final Map<Long, Long> received = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean stop;
        private volatile String failure;

        Receiver(String bootstrapServers, String topic, String idHeader) {
            KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers);
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            thread = new Thread(() -> {
                try (consumer) {
                    while (!stop) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                            long now = System.nanoTime();
                            Header header = record.headers().lastHeader(idHeader);
                            if (header != null && header.value() != null) {
                                received.putIfAbsent(parseId(header.value()), now);
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    failure = LoadRunner.describe(e);
                }
            }, "bench-consumer-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        static long parseId(byte[] value) {
            String text = new String(value, StandardCharsets.UTF_8).trim();
            if (text.startsWith("\"") && text.endsWith("\"") && text.length() >= 2) {
                text = text.substring(1, text.length() - 1);
            }
            return Long.parseLong(text);
        }

        Long receivedAt(long id) {
            if (failure != null) {
                throw new IllegalStateException("the consumer failed: " + failure);
            }
            return received.get(id);
        }

        boolean receivedAll(List<Map.Entry<Long, Long>> commits) {
            for (Map.Entry<Long, Long> commit : commits) {
                if (receivedAt(commit.getKey()) == null) {
                    return false;
                }
            }
            return true;
        }

        void forget(Set<Long> ids) {
            received.keySet().removeAll(ids);
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }
}
