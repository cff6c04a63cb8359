package dev.eventstore.simulation;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Paces permits (events) to a rate shared by every writer thread: each acquisition reserves the
 * next free slots and parks until they come. No burst beyond one batch; a writer that falls behind
 * does not catch up by bursting.
 */
final class RateLimiter {

    private static final long MAX_PARK_NANOS = 50_000_000L;

    private final double nanosPerPermit;
    private long nextFreeNanos;

    /** @param permitsPerSecond the rate; 0 or less for unlimited */
    RateLimiter(double permitsPerSecond) {
        this.nanosPerPermit = permitsPerSecond <= 0 ? 0 : 1e9 / permitsPerSecond;
        this.nextFreeNanos = System.nanoTime();
    }

    boolean unlimited() {
        return nanosPerPermit == 0;
    }

    /**
     * Waits until {@code permits} may be used. Returns {@code false} without waiting further if
     * {@code stop} turns true or {@code deadlineNanos} (a {@link System#nanoTime()} value) would be
     * passed first.
     */
    boolean acquire(int permits, BooleanSupplier stop, long deadlineNanos) {
        if (unlimited()) {
            return !stop.getAsBoolean();
        }
        long start;
        synchronized (this) {
            long now = System.nanoTime();
            start = Math.max(nextFreeNanos, now);
            nextFreeNanos = start + (long) (permits * nanosPerPermit);
        }
        if (start - deadlineNanos > 0) {
            return false;
        }
        while (true) {
            if (stop.getAsBoolean()) {
                return false;
            }
            long wait = start - System.nanoTime();
            if (wait <= 0) {
                return true;
            }
            LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS));
        }
    }
}
