package dev.eventstore.bench;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The highest rate a publisher keeps up with: appends at a steady rate, doubled step by step from
 * {@link #FIRST_RATE}, until the backlog (events appended but not yet received by a Kafka
 * consumer) grows over the measured window or the load cannot reach the rate; then one step
 * halfway between the last rate kept up with and the first that was not (or that the load did
 * not reach).
 *
 * <p>Each step appends for {@link #STEP_WARMUP} unmeasured, then {@link #STEP_WINDOW} measured,
 * from {@link #WRITERS} writers appending batches (single-event appends do not reach the rates
 * that matter on two cores), each on its own schedule. The backlog is sampled every
 * {@link #SAMPLE} ms; it is bounded when its mean over the window's last fifth exceeds its mean
 * over the first fifth by at most a quarter of a second's events (over 5 s, a publisher at least
 * about 95 % as fast as the rate), and the publisher then catches up with everything within
 * {@link #CATCH_UP}. A step whose load reaches less than {@link #LOAD_REACHED} of its rate judges
 * nothing: the row then says that the load, not the publisher, stopped the search.
 */
final class PipelineCapacity {

    static final String ID = "pipeline.capacity";
    static final String WORKLOAD = "highest rate with bounded lag (batched appends, steps doubling from 2,500 events/s)";
    static final int FIRST_RATE = 2_500;
    static final int MAX_RATE = 80_000;
    static final int WRITERS = 4;
    private static final Duration STEP_WARMUP = Duration.ofSeconds(1);
    private static final Duration STEP_WINDOW = Duration.ofSeconds(5);
    /** {@code --quick}: two short steps, to show that the workload runs. */
    private static final Duration QUICK_WARMUP = Duration.ofMillis(200);
    private static final Duration QUICK_WINDOW = Duration.ofSeconds(1);
    private static final int QUICK_MAX_RATE = 5_000;
    private static final Duration CATCH_UP = Duration.ofSeconds(30);
    private static final long SAMPLE = 50;
    /** The share of the rate the load must reach for a step to judge the publisher. */
    private static final double LOAD_REACHED = 0.95;

    /** One step: the rate asked for and reached, and the backlog at the window's start and end. */
    record Step(int rate, double reached, double backlogStart, double backlogEnd, boolean caughtUp, Duration window) {

        boolean loadReached() {
            return reached >= LOAD_REACHED * rate;
        }

        double growth() {
            return backlogEnd - backlogStart;
        }

        boolean bounded() {
            return caughtUp && growth() <= rate / 4.0;
        }

        String describe() {
            if (!loadReached()) {
                return String.format(Locale.ROOT, "at %,d the load reached only %.0f %%", rate, 100 * reached / rate);
            }
            if (!caughtUp) {
                return String.format(Locale.ROOT, "at %,d the backlog was not received within %d s", rate, CATCH_UP.toSeconds());
            }
            return String.format(Locale.ROOT, "at %,d the backlog %s by %,.0f events in %s", rate,
                    growth() >= 0 ? "grew" : "shrank", Math.abs(growth()), BenchSettings.seconds(window));
        }
    }

    private final BenchContext context;
    private final Duration warmup;
    private final Duration window;
    private final int maxRate;

    PipelineCapacity(BenchContext context) {
        this.context = context;
        boolean quick = context.settings.profile() == BenchSettings.Profile.QUICK;
        this.warmup = quick ? QUICK_WARMUP : STEP_WARMUP;
        this.window = quick ? QUICK_WINDOW : STEP_WINDOW;
        this.maxRate = quick ? QUICK_MAX_RATE : MAX_RATE;
    }

    /** Steps through the rates for the publisher that feeds {@code receiver}; the row's events/s is the highest rate kept up with. */
    ResultRow measure(BenchContext.Subject subject, BenchKafka.Receiver receiver, String name) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS, r -> {
            Thread thread = new Thread(r, "bench-capacity-writer");
            thread.setDaemon(true);
            return thread;
        });
        receiver.countOnly(true);
        try {
            int kept = 0;
            Step keptStep = null;
            Step failed = null;
            for (int rate = FIRST_RATE; rate <= maxRate; rate *= 2) {
                Step step = step(pool, receiver, name, rate);
                if (step.loadReached() && step.bounded()) {
                    kept = rate;
                    keptStep = step;
                } else {
                    failed = step;
                    break;
                }
            }
            if (failed != null && kept > 0) {
                int middle = (kept + failed.rate()) / 2 / 500 * 500;
                if (middle > kept) {
                    Step step = step(pool, receiver, name, middle);
                    if (step.loadReached() && step.bounded()) {
                        kept = middle;
                        keptStep = step;
                    } else {
                        failed = step;
                    }
                }
            }
            String keptText = keptStep == null ? "no step kept up with" : String.format(Locale.ROOT,
                    "kept up with %,d (backlog %+,.0f events over %s)", kept, keptStep.growth(), BenchSettings.seconds(window));
            String failedText = failed == null ? String.format(Locale.ROOT, "%,d is the highest step", maxRate) : failed.describe();
            return subject.measured(kept, null, keptText + "; " + failedText);
        } finally {
            receiver.countOnly(false);
            pool.shutdownNow();
        }
    }

    private Step step(ExecutorService pool, BenchKafka.Receiver receiver, String name, int rate) throws Exception {
        context.progress.detail(String.format(Locale.ROOT, "appending at %,d events/s", rate));
        int batch = Math.max(1, Math.min(100, rate / (WRITERS * 100)));
        long interval = TimeUnit.SECONDS.toNanos(1) * batch * WRITERS / rate;
        AtomicLong appended = new AtomicLong();
        long received0 = receiver.count();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long windowStart = start + warmup.toNanos();
        long windowEnd = windowStart + window.toNanos();
        List<Future<?>> writers = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(pool.submit(() -> {
                long next = start + writer * interval / WRITERS;
                long sequence = 0;
                while (next - windowEnd < 0) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                        continue;
                    }
                    List<EventData> events = context.events.batch(sequence * batch + writer * 7919L, batch);
                    String stream = "game-cap" + name + "r" + rate + "w" + writer + "s" + (sequence % 64);
                    try {
                        context.store.append(stream, ExpectedVersion.ANY, events);
                        appended.addAndGet(batch);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                    sequence++;
                    next += interval;
                }
                return null;
            }));
        }
        waitUntil(windowStart);
        long appendedStart = appended.get();
        double firstSum = 0;
        int firstCount = 0;
        double lastSum = 0;
        int lastCount = 0;
        long fifth = window.toNanos() / 5;
        for (long t = windowStart; t - windowEnd < 0; t += TimeUnit.MILLISECONDS.toNanos(SAMPLE)) {
            waitUntil(t);
            long backlog = appended.get() - (receiver.count() - received0);
            if (t - windowStart < fifth) {
                firstSum += backlog;
                firstCount++;
            } else if (windowEnd - t <= fifth) {
                lastSum += backlog;
                lastCount++;
            }
        }
        waitUntil(windowEnd);
        long appendedEnd = appended.get();
        for (Future<?> writer : writers) {
            writer.get(60, TimeUnit.SECONDS);
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " appends failed at " + rate + " events/s");
        }
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        boolean caughtUp;
        while (!(caughtUp = receiver.count() - received0 >= appended.get()) && System.nanoTime() < deadline) {
            Thread.sleep(20); // waiting for the backlog to be received, bounded by the deadline
        }
        double reached = (appendedEnd - appendedStart) / (window.toNanos() / 1e9);
        return new Step(rate, reached, firstSum / Math.max(1, firstCount), lastSum / Math.max(1, lastCount), caughtUp, window);
    }

    private static void waitUntil(long nanoTime) throws InterruptedException {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, wait / 1_000_000)); // pacing the samples
        }
    }
}
