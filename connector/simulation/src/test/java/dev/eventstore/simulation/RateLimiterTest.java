package dev.eventstore.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    @Test
    void unlimitedNeverWaitsButHonoursStop() {
        RateLimiter limiter = new RateLimiter(0);
        assertThat(limiter.unlimited()).isTrue();
        assertThat(limiter.acquire(1_000_000, () -> false, Long.MAX_VALUE)).isTrue();
        assertThat(limiter.acquire(1, () -> true, Long.MAX_VALUE)).isFalse();
    }

    @Test
    void refusesPermitsWhoseSlotFallsAfterTheDeadline() {
        RateLimiter limiter = new RateLimiter(10); // 100 ms per permit
        long deadline = System.nanoTime() + 1_000_000_000L;
        // The first slot is now: no wait.
        assertThat(limiter.acquire(1, () -> false, deadline)).isTrue();
        // The next slot is 100 ms away: a stop request ends the wait.
        assertThat(limiter.acquire(1, () -> true, deadline)).isFalse();
        // The slot after that starts past a deadline already gone: refused at once.
        assertThat(limiter.acquire(1, () -> false, System.nanoTime() - 1)).isFalse();
    }
}
