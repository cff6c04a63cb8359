package dev.eventstore.bridge;

import io.debezium.connector.base.QueueProvider;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The store behind Debezium's {@code ChangeEventQueue}, the hand-over from the capture thread to
 * the engine's polling thread, that can also wake a thread waiting for its first record.
 *
 * <p>Debezium's queue has no wait of that kind: its {@code poll()} waits for a full batch or the
 * end of {@code poll.interval.ms}, in whole milliseconds ({@code Condition.await(remaining.toMillis())}),
 * and loops without waiting through the last, partial millisecond of every interval. An idle
 * bridge at the 10 ms default therefore spun about a tenth of the time: 13 % of a core for the
 * whole process, nine JFR execution samples in ten inside {@code ChangeEventQueue.poll}.
 * {@link SlotGuardingTask#doPoll()} first waits here, parked until the capture thread enqueues a
 * record (or {@link SlotGuardingTask#IDLE_POLL} passes), then lets Debezium's {@code poll()}
 * collect the batch as before; while changes flow, the queue is rarely empty and nothing changes.
 *
 * <p>{@link #enqueue}, {@link #poll} and {@link #size} run under the {@code ChangeEventQueue}'s
 * lock, as for Debezium's own {@code DefaultQueueProvider}; {@link #awaitRecord} runs outside it,
 * on one thread at a time (the engine's polling thread), and reads only the atomic count.
 */
final class WakingQueue<T> implements QueueProvider<T> {

    private final ArrayDeque<T> records;
    private final AtomicInteger count = new AtomicInteger();
    private volatile Thread waiter;

    WakingQueue(int capacity) {
        this.records = new ArrayDeque<>(capacity);
    }

    @Override
    public String name() {
        return "eventstore-waking";
    }

    @Override
    public void configure(Map<String, ?> properties) {
        // sized at construction
    }

    @Override
    public void enqueue(T event) {
        records.add(event);
        count.incrementAndGet();
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    @Override
    public T poll() {
        T event = records.poll();
        if (event != null) {
            count.decrementAndGet();
        }
        return event;
    }

    @Override
    public int size() {
        return records.size();
    }

    /**
     * Waits until the queue holds a record, at most {@code timeout}.
     *
     * @return whether it holds one
     * @throws InterruptedException if the thread is interrupted (the engine stopping)
     */
    boolean awaitRecord(long timeout, TimeUnit unit) throws InterruptedException {
        if (count.get() > 0) {
            return true;
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        // Published before the count is read again: an enqueue after that read sees the waiter
        // and unparks it, so no wake-up is lost.
        waiter = Thread.currentThread();
        try {
            while (count.get() == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return true;
        } finally {
            waiter = null;
        }
    }
}
