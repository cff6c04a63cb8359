package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WakingQueueTest {

    /** Starts {@code body} on a thread of its own and returns once that thread is parked (bounded: 10 s). */
    private static Thread startParked(Runnable body) {
        Thread thread = new Thread(body);
        thread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until the thread is parked, bounded by the deadline
        }
        assertThat(thread.getState()).isEqualTo(Thread.State.TIMED_WAITING);
        return thread;
    }

    @Test
    void aRecordWakesTheWaiterLongBeforeItsTimeout() throws Exception {
        WakingQueue<String> queue = new WakingQueue<>(4);
        long start = System.nanoTime();
        CompletableFuture<Boolean> waited = new CompletableFuture<>();
        Thread waiter = startParked(() -> {
            try {
                waited.complete(queue.awaitRecord(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                waited.completeExceptionally(e);
            }
        });

        queue.enqueue("a");

        assertThat(waited.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(15));
        waiter.join(10_000);
    }

    @Test
    void anEmptyQueueWaitsItsTimeoutAndSaysSo() throws Exception {
        WakingQueue<String> queue = new WakingQueue<>(4);
        long start = System.nanoTime();
        assertThat(queue.awaitRecord(50, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    void aQueueHoldingARecordDoesNotWait() throws Exception {
        WakingQueue<String> queue = new WakingQueue<>(4);
        queue.enqueue("a");
        long start = System.nanoTime();
        assertThat(queue.awaitRecord(30, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void anInterruptEndsTheWait() {
        WakingQueue<String> queue = new WakingQueue<>(4);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> queue.awaitRecord(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void recordsLeaveInOrderByPollOrTakeAndTheCountFollows() {
        WakingQueue<String> queue = new WakingQueue<>(2);
        for (String s : new String[] {"a", "b", "c", "d", "e"}) {
            queue.enqueue(s);
        }
        assertThat(queue.size()).isEqualTo(5);
        assertThat(queue.poll()).isEqualTo("a");
        assertThat(queue.take(3)).containsExactly("b", "c", "d");
        assertThat(queue.isEmpty()).isFalse();
        assertThat(queue.take(3)).containsExactly("e");
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.size()).isZero();
        assertThat(queue.poll()).isNull();
        assertThat(queue.take(3)).isEmpty();
    }

    @Test
    void aLingerEndsWhenTheOldestRecordHasWaitedItsTime() throws Exception {
        WakingQueue<String> queue = new WakingQueue<>(4);
        queue.enqueue("a");
        long start = System.nanoTime();
        queue.linger(100, TimeUnit.MILLISECONDS.toNanos(200));
        long waited = System.nanoTime() - start;
        assertThat(waited).isBetween(TimeUnit.MILLISECONDS.toNanos(150), TimeUnit.SECONDS.toNanos(5));
        assertThat(queue.take(100)).containsExactly("a");
    }

    @Test
    void aLingerEndsAsSoonAsTheBatchIsFull() throws Exception {
        WakingQueue<String> queue = new WakingQueue<>(4);
        queue.enqueue("a");
        CompletableFuture<Long> ended = new CompletableFuture<>();
        Thread lingerer = startParked(() -> {
            try {
                queue.linger(3, TimeUnit.SECONDS.toNanos(30));
                ended.complete(System.nanoTime());
            } catch (InterruptedException e) {
                ended.completeExceptionally(e);
            }
        });
        queue.enqueue("b");
        assertThat(ended.isDone()).as("one record short of the batch: still lingering").isFalse();
        long full = System.nanoTime();
        queue.enqueue("c");
        assertThat(ended.get(10, TimeUnit.SECONDS) - full).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(queue.take(10)).containsExactly("a", "b", "c");
        lingerer.join(10_000);
    }

    @Test
    void recordsThatAlreadyWaitedTheirTimeAreNotHeldAgain() throws Exception {
        WakingQueue<String> queue = new WakingQueue<>(4);
        queue.enqueue("a");
        Thread.sleep(60); // the record waits longer than the linger below, before the linger starts
        long start = System.nanoTime();
        queue.linger(100, TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(40));
    }

    @Test
    void anEmptyQueueDoesNotLinger() throws Exception {
        WakingQueue<String> queue = new WakingQueue<>(4);
        long start = System.nanoTime();
        queue.linger(100, TimeUnit.SECONDS.toNanos(30));
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
}
