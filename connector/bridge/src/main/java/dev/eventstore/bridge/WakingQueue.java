package dev.eventstore.bridge;

import io.debezium.connector.base.QueueProvider;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The store behind Debezium's {@code ChangeEventQueue}, the hand-over from the capture thread to
 * the engine's polling thread, that can also wake a thread waiting for its first record, or
 * lingering for a batch.
 *
 * <p>Debezium's queue has no wait of that kind: its {@code poll()} waits for a full batch or the
 * end of {@code poll.interval.ms}, in whole milliseconds ({@code Condition.await(remaining.toMillis())}),
 * and loops without waiting through the last, partial millisecond of every interval: at a 10 ms
 * interval, on an idle bridge, nine JFR execution samples in ten inside
 * {@code ChangeEventQueue.poll} (BENCHMARKS.md, Profiles).
 * {@link SlotGuardingTask#doPoll()} waits here instead, parked: while the queue is empty until the
 * capture thread enqueues a record, then until a batch is full or its oldest record has waited
 * {@code poll.interval.ms} ({@link #linger}).
 *
 * <p>{@link #enqueue}, {@link #poll} and {@link #size} run under the {@code ChangeEventQueue}'s
 * lock, as for Debezium's own {@code DefaultQueueProvider}, and under this object's monitor, which
 * {@link #take} (outside Debezium's lock) holds too. {@link #awaitRecord} and {@link #linger} run
 * on one thread at a time (the engine's polling thread) and read only volatile fields: the count,
 * the oldest record's arrival and the waiter, published in an order that loses no wake-up.
 */
final class WakingQueue<T> implements QueueProvider<T> {

    private final ArrayDeque<T> records;
    private final AtomicInteger count = new AtomicInteger();
    private volatile Thread waiter;
    /** How many records wake the waiter: 1 while it waits for a first record, more while it lingers. */
    private volatile int wakeAt = 1;
    /** When the oldest record now queued arrived (System.nanoTime). */
    private volatile long oldestArrival;

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
    public synchronized void enqueue(T event) {
        if (records.isEmpty()) {
            oldestArrival = System.nanoTime();
        }
        records.add(event);
        int now = count.incrementAndGet();
        Thread w = waiter;
        if (w != null && now >= wakeAt) {
            LockSupport.unpark(w);
        }
    }

    @Override
    public synchronized T poll() {
        T event = records.poll();
        if (event != null) {
            count.decrementAndGet();
            oldestArrival = System.nanoTime();
        }
        return event;
    }

    @Override
    public synchronized int size() {
        return records.size();
    }

    /** Takes up to {@code max} records, without Debezium's lock (see {@link SlotGuardingTask#doPoll()}). */
    synchronized List<T> take(int max) {
        List<T> taken = new ArrayList<>(Math.min(max, records.size()));
        T event;
        while (taken.size() < max && (event = records.poll()) != null) {
            taken.add(event);
            count.decrementAndGet();
        }
        // What is left arrived before this moment: counted from now, it waits no longer than the
        // linger of a record arriving now.
        oldestArrival = System.nanoTime();
        return taken;
    }

    boolean isEmpty() {
        return count.get() == 0;
    }

    /**
     * Waits until the queue holds a record, at most {@code timeout}.
     *
     * @return whether it holds one
     * @throws InterruptedException if the thread is interrupted (the engine stopping)
     */
    boolean awaitRecord(long timeout, TimeUnit unit) throws InterruptedException {
        return awaitCount(1, System.nanoTime() + unit.toNanos(timeout));
    }

    /**
     * Waits, once the queue holds a record, until it holds {@code batch} records or its oldest
     * record has waited {@code lingerNanos}: a batch for the producer without holding a change
     * longer than that.
     */
    void linger(int batch, long lingerNanos) throws InterruptedException {
        if (lingerNanos <= 0 || count.get() == 0) {
            return;
        }
        awaitCount(batch, oldestArrival + lingerNanos);
    }

    private boolean awaitCount(int wanted, long deadline) throws InterruptedException {
        if (count.get() >= wanted) {
            return true;
        }
        wakeAt = wanted;
        // Published before the count is read again: an enqueue after that read sees the waiter
        // and unparks it, so no wake-up is lost.
        waiter = Thread.currentThread();
        try {
            while (count.get() < wanted) {
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
