package dev.eventstore.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/** The offset mirror's figures ({@code eventstore_mirror_*}), wherever it runs ({@code run} or {@code mirror}). */
final class MirrorMetrics {

    private final AtomicLong lastPassMillis = new AtomicLong();
    private final AtomicLong lockHeld = new AtomicLong();
    private final Counter positionsWritten;

    MirrorMetrics(MeterRegistry registry) {
        Gauge.builder("eventstore.mirror.last.pass.timestamp", lastPassMillis, v -> v.get() / 1000.0)
                .description("When the offset mirror last completed a pass over the consumer groups, in epoch seconds"
                        + " (0: none yet, or it waits for the mirror lock)")
                .baseUnit("seconds").register(registry);
        Gauge.builder("eventstore.mirror.lock.held", lockHeld, AtomicLong::get)
                .description("1 while this offset mirror holds the store's mirror lock and writes; 0 while another"
                        + " mirror holds it and this one waits")
                .register(registry);
        positionsWritten = Counter.builder("eventstore.mirror.positions.written")
                .description("Subscription positions (rows of subscriptions) the offset mirror moved forward")
                .register(registry);
    }

    void passCompleted(long moved) {
        positionsWritten.increment(moved);
        lastPassMillis.set(System.currentTimeMillis());
    }

    void lockHeld(boolean held) {
        lockHeld.set(held ? 1 : 0);
    }

    /** Epoch millis of the last completed pass, 0 if none. */
    long lastPassMillis() {
        return lastPassMillis.get();
    }
}
