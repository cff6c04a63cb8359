package dev.eventstore.bench;

import dev.eventstore.AppendResult;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.consumer.CheckpointingSubscriber;
import dev.eventstore.demo.Leaderboard;
import dev.eventstore.simulation.GameSimulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Reading your own writes through the pipeline, as a caller of the library sees it, on the
 * pipeline workloads' servers, store and bridge settings ({@link PipelineWorkloads}):
 * <ul>
 *   <li>while the game simulation appends at {@value #RATE} events/s, for every
 *       {@value #SAMPLE_EVERY}th append, the time from the append's return to
 *       {@link EventStore#awaitPublished} returning (the bridge has recorded Kafka's
 *       acknowledgement) and to {@link EventStore#awaitConsumed} returning for the demo
 *       leaderboard's consumer group (its checkpointing subscriber has applied the event), both
 *       waits started at once, each on a caller's thread of its own; beside them, when a plain
 *       Kafka consumer of the topic received the same events (the pipeline's share);</li>
 *   <li>many callers at once: {@link BenchSettings#waiters} single-event appends on
 *       {@value #WAITER_STREAMS} streams, then as many threads, released together, each waiting
 *       for one of them; the time until every wait has returned.</li>
 * </ul>
 * Each kind of wait runs on a store of its own over the benchmark's pool, so that
 * {@link EventStore#awaitQueries()} counts the queries of that kind alone: reported per wait.
 */
final class ReadYourWrites {

    static final String PUBLISHED = "ryw.published.r";
    static final String CONSUMED = "ryw.consumed.r";
    static final String WAITERS_CONSUMED = "ryw.waiters.consumed.n";
    static final String WAITERS_PUBLISHED = "ryw.waiters.published.n";
    static final int RATE = 1000;
    static final int SAMPLE_EVERY = 10;
    static final int WAITER_STREAMS = 100;
    /** The demo leaderboard's code under a group of the benchmark's own (the broker may be shared). */
    static final String GROUP = "bench-leaderboard";
    static final String QUERIES_PREFIX = "queries per wait ";

    private static final String NAME = "ryw";
    private static final String TOPIC = "bench." + NAME + ".game";
    private static final String SLOT = PipelineWorkloads.SLOT_PREFIX + NAME;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Most callers' threads at once: every wait has a thread of its own as soon as its append
     * returns (a wait queued behind slower ones would measure the queue); more than the waits a
     * window can hold ({@value #SAMPLE_EVERY}th appends at {@value #RATE} events/s for
     * {@link #WAIT_TIMEOUT}), so that none is refused.
     */
    private static final int CALLER_THREADS = 2 * RATE / SAMPLE_EVERY * 30 + 500;
    private static final int APPENDERS = 4;

    private final PipelineWorkloads owner;
    private final BenchContext context;

    ReadYourWrites(PipelineWorkloads owner, BenchContext context) {
        this.owner = owner;
        this.context = context;
    }

    static int caseCount() {
        return 3;
    }

    /** The queries per wait a row of this workload measured, from its note. */
    static java.util.Optional<Double> queriesPerWait(ResultRow row) {
        if (!row.ran() || !row.note().startsWith(QUERIES_PREFIX)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(Double.parseDouble(row.note().substring(QUERIES_PREFIX.length()).split(" ")[0]));
    }

    List<ResultRow> run() {
        BenchSettings settings = context.settings;
        String rate = String.format(Locale.ROOT, "%,d", RATE);
        String waiters = String.format(Locale.ROOT, "%,d", settings.waiters());
        BenchContext.Subject published = new BenchContext.Subject(PUBLISHED + RATE,
                "read your writes at " + rate + " events/s: append to awaitPublished", "eventstore-await-published",
                "eventstore awaitPublished, every " + SAMPLE_EVERY + "th append", ResultRow.Role.OURS, ResultRow.Basis.P99_LATENCY);
        BenchContext.Subject consumed = new BenchContext.Subject(CONSUMED + RATE,
                "read your writes at " + rate + " events/s: append to awaitConsumed", "eventstore-await-consumed",
                "eventstore awaitConsumed, leaderboard group, every " + SAMPLE_EVERY + "th append", ResultRow.Role.OURS,
                ResultRow.Basis.P99_LATENCY);
        BenchContext.Subject waitersConsumed = new BenchContext.Subject(WAITERS_CONSUMED + settings.waiters(),
                waiters + " callers at once: awaitConsumed of an event each", "eventstore-await-consumed",
                "eventstore awaitConsumed, leaderboard group", ResultRow.Role.OURS, ResultRow.Basis.P99_LATENCY);
        BenchContext.Subject waitersPublished = new BenchContext.Subject(WAITERS_PUBLISHED + settings.waiters(),
                waiters + " callers at once: awaitPublished of an event each", "eventstore-await-published",
                "eventstore awaitPublished", ResultRow.Role.OURS, ResultRow.Basis.P99_LATENCY);

        Duration streamTime = settings.pipelineWarmup().plus(settings.readYourWritesDuration());
        context.progress.startCase(published.workload() + ": starting the bridge and the leaderboard group", streamTime.plusSeconds(5));
        List<ResultRow> rows = new ArrayList<>();
        EventBridge bridge = null;
        CheckpointingSubscriber group = null;
        EventStore publishedWaits = EventStore.builder(context.storePool).schema(BenchContext.STORE_SCHEMA).build();
        EventStore consumedWaits = EventStore.builder(context.storePool).schema(BenchContext.STORE_SCHEMA).build();
        String failure = null;
        long interval = 0;
        try {
            context.settle();
            owner.createTopic(TOPIC);
            BridgeConfig config = context.bridgeConfig("bench-" + NAME, SLOT, "bench." + NAME, Map.of());
            interval = config.getLong(BridgeConfig.Key.PUBLISHED_INTERVAL_MS);
            bridge = EventBridge.start(config, true);
            bridge.ready().get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            group = Leaderboard.start(context.store, context.servers.bootstrapServers(), TOPIC, GROUP, BenchContext.STORE_SCHEMA);
            AppendResult probe = context.store.append("game-" + NAME + "probe", ExpectedVersion.ANY, List.of(context.events.get(0)));
            consumedWaits.awaitConsumed(GROUP, probe, READY_TIMEOUT);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failure = "did not start: " + LoadRunner.describe(e instanceof ExecutionException ? e.getCause() : e);
        }
        try {
            published = new BenchContext.Subject(published.workloadId(), published.workload(), published.subjectId(),
                    published.subject() + " (published.interval.ms " + interval + ")", published.role(), published.basis());
            if (failure != null) {
                rows.add(published.failed(failure));
                rows.add(consumed.failed(failure));
                rows.add(waitersConsumed.failed(failure));
                rows.add(waitersPublished.failed(failure));
                return rows;
            }
            context.progress.detail(published.workload() + " and awaitConsumed");
            rows.addAll(whileAppending(published, consumed, publishedWaits, consumedWaits, group));
            context.progress.startCase(waitersConsumed.workload(), Duration.ofSeconds(5));
            rows.add(atOnce(waitersConsumed, consumedWaits, true, "c"));
            context.progress.startCase(waitersPublished.workload(), Duration.ofSeconds(5));
            rows.add(atOnce(waitersPublished, publishedWaits, false, "p"));
            return rows;
        } finally {
            publishedWaits.close();
            consumedWaits.close();
            PipelineWorkloads.closeQuietly(group);
            PipelineWorkloads.closeQuietly(bridge);
            owner.dropSlotQuietly(SLOT);
        }
    }

    /** The waits after every {@value #SAMPLE_EVERY}th append of a simulation at {@value #RATE} events/s. */
    private List<ResultRow> whileAppending(BenchContext.Subject published, BenchContext.Subject consumed,
                                           EventStore publishedWaits, EventStore consumedWaits,
                                           CheckpointingSubscriber group) {
        ExecutorService callers = new java.util.concurrent.ThreadPoolExecutor(0, CALLER_THREADS, 10, TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "bench-ryw-caller");
                    thread.setDaemon(true);
                    return thread;
                });
        BenchKafka.Receiver receiver = null;
        try {
            receiver = new BenchKafka.Receiver(context.servers.bootstrapServers(), TOPIC,
                    dev.eventstore.connect.EventRecordHeaders.ID);
            // Unmeasured: the listeners start, the waits' code is compiled.
            sampled(callers, publishedWaits, consumedWaits, context.settings.pipelineWarmup(), "w");
            context.settle();
            long published0 = publishedWaits.awaitQueries();
            long consumed0 = consumedWaits.awaitQueries();
            long applied0 = group.processedCount();
            long started = System.nanoTime();
            Sample sample = sampled(callers, publishedWaits, consumedWaits, context.settings.readYourWritesDuration(), "m");
            long publishedQueries = publishedWaits.awaitQueries() - published0;
            long consumedQueries = consumedWaits.awaitQueries() - consumed0;
            double applied = (group.processedCount() - applied0) / ((System.nanoTime() - started) / 1e9);
            double seconds = context.settings.readYourWritesDuration().toNanos() / 1e9;
            double achieved = sample.events / seconds;
            String common = String.format(Locale.ROOT, "%,d appends (%,d events) by %d simulation writers%s",
                    sample.appends, sample.events, PipelineWorkloads.simulationWriters(RATE),
                    achieved < 0.9 * RATE ? String.format(Locale.ROOT, "; only %.0f%% of the rate reached", 100 * achieved / RATE) : "");
            String kafka = kafkaReceipt(receiver, sample.sampled);
            return List.of(row(published, achieved, sample.published, publishedQueries, common + kafka),
                    row(consumed, achieved, sample.consumed, consumedQueries, common + String.format(Locale.ROOT,
                            "; the group applied %,.0f events/s, its last waits included", applied)));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String reason = LoadRunner.describe(e instanceof ExecutionException ? e.getCause() : e);
            return List.of(published.failed(reason), consumed.failed(reason));
        } finally {
            callers.shutdownNow();
            PipelineWorkloads.closeQuietly(receiver);
        }
    }

    /**
     * When a Kafka consumer of the topic received the sampled events, from their appends' return:
     * the pipeline's own share of the waits (bounded: 10 s after the waits).
     */
    private static String kafkaReceipt(BenchKafka.Receiver receiver, Map<Long, Long> sampled) throws InterruptedException {
        List<Map.Entry<Long, Long>> events = new ArrayList<>(sampled.entrySet());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!receiver.receivedAll(events) && System.nanoTime() < deadline) {
            Thread.sleep(20); // the last records, bounded by the deadline
        }
        Histogram histogram = Latency.newHistogram();
        for (Map.Entry<Long, Long> event : events) {
            Long received = receiver.receivedAt(event.getKey());
            if (received != null) {
                Latency.record(histogram, received - event.getValue());
            }
        }
        Latency latency = Latency.of(histogram);
        return latency == null ? "; no sampled event reached a Kafka consumer" : String.format(Locale.ROOT,
                "; a Kafka consumer received the sampled events p50 %s, p99 %s, max %s ms after the append%s",
                ReportRenderer.millis(latency.p50Ms()), ReportRenderer.millis(latency.p99Ms()), ReportRenderer.millis(latency.maxMs()),
                latency.count() < events.size() ? String.format(Locale.ROOT, " (%,d of %,d)", latency.count(), events.size()) : "");
    }

    private static ResultRow row(BenchContext.Subject subject, double achieved, Waits waits, long queries, String common) {
        long count = waits.histogram.getTotalCount();
        if (waits.failed.get() > 0) {
            return subject.failed(String.format(Locale.ROOT, "%,d of %,d waits failed: %s", waits.failed.get(),
                    count + waits.failed.get(), waits.firstFailure.get()));
        }
        if (count == 0) {
            return subject.failed("no append was sampled in the measured window");
        }
        return subject.measured(achieved, Latency.of(waits.histogram), String.format(Locale.ROOT,
                QUERIES_PREFIX + "%.2f (%,d queries, %,d waits); %s", (double) queries / count, queries, count, common));
    }

    /** The latencies of one kind of wait, from the callers' threads. */
    private static final class Waits {
        final Histogram histogram = Latency.newHistogram();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicReference<String> firstFailure = new AtomicReference<>();

        synchronized void record(long nanos) {
            Latency.record(histogram, nanos);
        }

        void failed(Throwable e) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, LoadRunner.describe(e));
        }
    }

    /** One phase's appends and waits; {@code sampled}: the last event id of each sampled append, and when it returned. */
    private record Sample(long appends, long events, Waits published, Waits consumed, Map<Long, Long> sampled) {
    }

    /** Runs the simulation for {@code duration}; waits of both kinds after every {@value #SAMPLE_EVERY}th append. */
    private Sample sampled(ExecutorService callers, EventStore publishedWaits, EventStore consumedWaits, Duration duration,
                           String phase) throws Exception {
        Waits published = new Waits();
        Waits consumed = new Waits();
        AtomicLong appends = new AtomicLong();
        AtomicLong events = new AtomicLong();
        ConcurrentLinkedQueue<Future<?>> pending = new ConcurrentLinkedQueue<>();
        Map<Long, Long> sampled = new java.util.concurrent.ConcurrentHashMap<>();
        GameSimulation simulation = GameSimulation.builder(context.store)
                .eventsPerSecond(RATE)
                .writers(PipelineWorkloads.simulationWriters(RATE))
                .seed(RATE + phase.hashCode())
                .streamPrefix("game-" + NAME + phase)
                .onAppend(result -> {
                    long returned = System.nanoTime();
                    events.addAndGet(result.eventIds().size());
                    if (appends.incrementAndGet() % SAMPLE_EVERY != 0) {
                        return;
                    }
                    sampled.put(result.eventIds().get(result.eventIds().size() - 1), returned);
                    submit(callers, pending, published, () -> wait(published, returned,
                            () -> publishedWaits.awaitPublished(result, WAIT_TIMEOUT)));
                    submit(callers, pending, consumed, () -> wait(consumed, returned,
                            () -> consumedWaits.awaitConsumed(GROUP, result, WAIT_TIMEOUT)));
                })
                .build();
        simulation.runFor(duration);
        long deadline = System.nanoTime() + WAIT_TIMEOUT.plusSeconds(10).toNanos();
        for (Future<?> future : pending) {
            future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return new Sample(appends.get(), events.get(), published, consumed, sampled);
    }

    private static void submit(ExecutorService callers, ConcurrentLinkedQueue<Future<?>> pending, Waits waits, Runnable wait) {
        try {
            pending.add(callers.submit(wait));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            waits.failed(new IllegalStateException("more than " + CALLER_THREADS + " waits at once"));
        }
    }

    @FunctionalInterface
    private interface Wait {
        void run() throws Exception;
    }

    private static void wait(Waits waits, long since, Wait wait) {
        try {
            wait.run();
            waits.record(System.nanoTime() - since);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            waits.failed(e);
        } catch (Exception e) {
            waits.failed(e);
        }
    }

    /**
     * {@link BenchSettings#waiters} single-event appends on {@value #WAITER_STREAMS} streams, then as
     * many threads, released together, each waiting for one of them ({@code consumed}: by the
     * leaderboard group, else in Kafka); each wait timed from the release.
     */
    private ResultRow atOnce(BenchContext.Subject subject, EventStore waits, boolean consumed, String phase) {
        int count = context.settings.waiters();
        CountDownLatch go = new CountDownLatch(1);
        AppendResult[] appended = new AppendResult[count];
        long[] returned = new long[count];
        Waits outcome = new Waits();
        AtomicLong release = new AtomicLong();
        List<Thread> threads = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                int index = i;
                Thread thread = new Thread(() -> {
                    try {
                        if (!go.await(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                            return;
                        }
                        AppendResult result = appended[index];
                        if (consumed) {
                            waits.awaitConsumed(GROUP, result, WAIT_TIMEOUT);
                        } else {
                            waits.awaitPublished(result, WAIT_TIMEOUT);
                        }
                        returned[index] = System.nanoTime();
                        outcome.record(returned[index] - release.get());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        outcome.failed(e);
                    } catch (Exception e) {
                        outcome.failed(e);
                    }
                }, "bench-ryw-waiter-" + i);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
            long appendStart = System.nanoTime();
            append(appended, "game-" + NAME + phase + "s");
            long appendEnd = System.nanoTime();
            long queries0 = waits.awaitQueries();
            release.set(System.nanoTime());
            go.countDown();
            long deadline = System.nanoTime() + WAIT_TIMEOUT.plusSeconds(10).toNanos();
            for (Thread thread : threads) {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (thread.isAlive()) {
                    return subject.failed("a wait did not return within " + WAIT_TIMEOUT.plusSeconds(10).toSeconds() + " s");
                }
            }
            long queries = waits.awaitQueries() - queries0;
            if (outcome.failed.get() > 0) {
                return subject.failed(String.format(Locale.ROOT, "%,d of %,d waits failed: %s", outcome.failed.get(), count,
                        outcome.firstFailure.get()));
            }
            if (outcome.histogram.getTotalCount() < count) {
                return subject.failed(String.format(Locale.ROOT, "only %,d of %,d waits returned",
                        outcome.histogram.getTotalCount(), count));
            }
            long last = release.get();
            for (long t : returned) {
                last = Math.max(last, t);
            }
            double all = (last - release.get()) / 1e9;
            return subject.measured(count / all, Latency.of(outcome.histogram), String.format(Locale.ROOT,
                    QUERIES_PREFIX + "%.2f (%,d queries); all %,d returned %.0f ms after the release (events/s: waits"
                            + " answered per second); released as the last of %,d appends (%d writers, %d streams, %.0f ms)"
                            + " returned",
                    (double) queries / count, queries, count, all * 1000, count, APPENDERS, WAITER_STREAMS,
                    (appendEnd - appendStart) / 1e6));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return subject.failed(LoadRunner.describe(e instanceof ExecutionException ? e.getCause() : e));
        } finally {
            for (Thread thread : threads) {
                thread.interrupt();
            }
        }
    }

    /** One event per slot of {@code appended}, round-robin on {@value #WAITER_STREAMS} streams, by {@value #APPENDERS} writers. */
    private void append(AppendResult[] appended, String prefix) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(APPENDERS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < APPENDERS; w++) {
                int writer = w;
                futures.add(writers.submit(() -> {
                    for (int i = writer; i < appended.length; i += APPENDERS) {
                        appended[i] = context.store.append(prefix + (i % WAITER_STREAMS), ExpectedVersion.ANY,
                                List.of(context.events.get(i)));
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            writers.shutdownNow();
        }
    }
}
