package dev.eventstore.bench;

import dev.eventstore.cli.Progress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Runs one case: {@code writers} threads call their operation in a closed loop (the next call
 * starts when the last returns), first for the warm-up, unmeasured, then for the measured
 * duration. Each loop is bounded twice: by time and by {@code maxOperations} calls. Latency is
 * that of each call; throughput is the events of the calls that started in the measured window,
 * divided by the time from the window's start to the end of the last of them. A writer whose
 * calls are longer than the window makes one measured call after it (within a minute), so that
 * a slow subject is measured slow rather than not at all.
 */
final class LoadRunner {

    /** One call: does its work and returns how many events it appended or read. */
    @FunctionalInterface
    interface Operation {
        int run() throws Exception;
    }

    /** Creates writer {@code index}'s operation (setup outside the measurement). */
    @FunctionalInterface
    interface Writers {
        Operation create(int index) throws Exception;
    }

    /**
     * @param operations measured calls
     * @param events events of the measured calls
     * @param seconds the measured window
     * @param failure the first failure's one-line description, or {@code null}
     */
    record Outcome(long operations, long events, double seconds, Histogram latency, String failure) {

        double eventsPerSecond() {
            return seconds <= 0 ? Double.NaN : events / seconds;
        }

        double operationsPerSecond() {
            return seconds <= 0 ? Double.NaN : operations / seconds;
        }
    }

    private static final Duration JOIN_GRACE = Duration.ofSeconds(120);
    /** How long after its window a writer may still start its first measured call. */
    private static final Duration LATE_LIMIT = Duration.ofSeconds(60);

    private LoadRunner() {
    }

    static Outcome run(int writers, Duration warmup, Duration duration, long maxOperations, Writers factory,
                       Progress progress) throws Exception {
        List<Operation> operations = new ArrayList<>(writers);
        for (int i = 0; i < writers; i++) {
            operations.add(factory.create(i));
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers, r -> {
            Thread thread = new Thread(r, "bench-writer-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        CountDownLatch ready = new CountDownLatch(writers);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong measureStart = new AtomicLong();
        AtomicLong events = new AtomicLong();
        AtomicLong done = new AtomicLong();
        List<Future<Histogram>> futures = new ArrayList<>(writers);
        long warmupNanos = warmup.toNanos();
        long durationNanos = duration.toNanos();
        try {
            for (Operation operation : operations) {
                futures.add(pool.submit(() -> {
                    Histogram histogram = Latency.newHistogram();
                    ready.countDown();
                    go.await();
                    long windowStart = measureStart.get();
                    long windowEnd = windowStart + durationNanos;
                    long lastEnd = 0;
                    long calls = 0;
                    long measured = 0;
                    while (calls < maxOperations) {
                        long start = System.nanoTime();
                        // Past the window: stop, unless no call of this writer started in it
                        // (one call outlasted the whole window); then one more, bounded too.
                        if (start - windowEnd >= 0 && (measured > 0 || start - windowEnd >= LATE_LIMIT.toNanos())) {
                            break;
                        }
                        int n = operation.run();
                        long end = System.nanoTime();
                        calls++;
                        if (start - windowStart >= 0) {
                            Latency.record(histogram, end - start);
                            measured++;
                            lastEnd = end;
                            events.addAndGet(n);
                        }
                    }
                    done.accumulateAndGet(lastEnd, Math::max);
                    return histogram;
                }));
            }
            if (!ready.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("writers did not start within 60 s");
            }
            measureStart.set(System.nanoTime() + warmupNanos);
            go.countDown();
            long windowStart = measureStart.get();
            Histogram total = Latency.newHistogram();
            String failure = null;
            long deadline = System.nanoTime() + warmupNanos + durationNanos + LATE_LIMIT.toNanos() + JOIN_GRACE.toNanos();
            for (Future<Histogram> future : futures) {
                long wait = Math.max(1, deadline - System.nanoTime());
                try {
                    total.add(future.get(wait, TimeUnit.NANOSECONDS));
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = describe(e.getCause());
                    }
                } catch (TimeoutException e) {
                    if (failure == null) {
                        failure = "a writer was still busy " + JOIN_GRACE.toSeconds() + " s after the case should have ended";
                    }
                    future.cancel(true);
                }
            }
            long end = done.get();
            double seconds = end == 0 ? 0 : (end - windowStart) / 1e9;
            return new Outcome(total.getTotalCount(), events.get(), seconds, total, failure);
        } finally {
            pool.shutdownNow();
            if (progress != null) {
                progress.detail("");
            }
        }
    }

    /** One line for a failure: the exception's message, without stack. */
    static String describe(Throwable failure) {
        String message = failure.getMessage();
        String text = failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return dev.eventstore.jdbc.PostgresErrors.mask(text.lines().findFirst().orElse(text));
    }
}
