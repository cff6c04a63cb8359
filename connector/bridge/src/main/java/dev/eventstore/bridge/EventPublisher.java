package dev.eventstore.bridge;

import dev.eventstore.connect.EventRecordHeaders;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Debezium's batches of change records, encodes each with {@link EventRecordEncoder}
 * (the transform a Kafka Connect deployment runs) and publishes the event records. A change is
 * marked processed only after Kafka has acknowledged its record and every record before it
 * ({@code acks=all}, idempotent producer), so the offsets Debezium saves never run ahead of
 * Kafka: at least once.
 *
 * <p>Publishing is pipelined. {@link #handleBatch} encodes and sends a batch and returns without
 * waiting for its acknowledgements, so that Debezium reads and hands over the next batch while
 * Kafka acknowledges the earlier ones; it waits only while more than {@code window} changes are
 * unacknowledged. The changes handed over wait in one queue in WAL order; each acknowledgement
 * (on the producer's I/O thread, as Kafka Connect's source tasks do) marks the acknowledged
 * prefix of that queue processed, so a change is never marked before one ahead of it. Debezium
 * saves the marked offsets at the end of each batch and at each empty poll. {@link #drain}, on a
 * graceful stop, sends nothing more and waits for everything in flight to be acknowledged and
 * marked before the engine saves its offsets for the last time.
 *
 * <p>Per-stream order holds whatever Kafka refuses. The records are sent in WAL commit order from
 * one thread, and the idempotent producer keeps that order within each partition, and so within
 * each stream, as long as nothing is refused. So nothing is sent that Kafka would refuse for its
 * size or time: each record is checked first against its topic's limits ({@link TopicLimits}),
 * given a timestamp the topic accepts, and a record too large is either parked in the dead-letter
 * topic once everything before it is acknowledged, or stops the bridge before it. A refusal the
 * checks could not foresee (a limit lowered while the bridge runs, an authorization change, a
 * delivery timeout) closes the producer at once from the failed send's callback, which aborts
 * every record not yet acknowledged: none of them reaches Kafka after the refused one, none is
 * marked processed, and the bridge stops naming it (through {@code onFailure}, and the next batch
 * fails with it); on restart the same records are sent again in order.
 */
final class EventPublisher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    static final String HEADER_ERROR_REASON = "eventstore_error_reason";
    static final String HEADER_ERROR_TOPIC = "eventstore_error_topic";
    /** On a dead-letter record too large to carry its value: the value's size in bytes, left out. */
    static final String HEADER_VALUE_DROPPED = "eventstore_error_value_dropped_bytes";
    /** The reason header is cut to this many characters: a dead-letter record must stay small. */
    private static final int MAX_REASON_CHARS = 1_000;

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final EventRecordEncoder encoder;
    private final Producer<byte[], byte[]> producer;
    private final TopicManager topics;
    private final TopicLimits limits;
    private final BridgeMetrics metrics;
    private final String deadLetterTopic;
    private final long deliveryTimeoutMs;
    /** At most this many changes are left unacknowledged when handleBatch returns. */
    private final int window;
    /** Told of every acknowledged event record, in order, for awaitPublished. */
    private final PublishedPositions positions;
    /** Told once, on the thread that found it, when a send fails: the bridge stops with it. */
    private final Consumer<BridgeException> onFailure;
    /** The first send Kafka failed; once set, the producer is closed and nothing more is sent. */
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    private final AtomicBoolean failureReported = new AtomicBoolean();
    /** Set by another thread (a lost topic): the next batch stops the bridge with it. */
    private volatile BridgeException stopRequest;
    /** Set by {@link #drain}: handleBatch sends nothing more. */
    private volatile boolean closing;
    /** Held by handleBatch while it sends, so that {@link #drain} knows when the last send is queued. */
    private final ReentrantLock sending = new ReentrantLock();

    /** Guards {@link #unmarked}, {@link #committer} and each {@link Pending}'s outcome. */
    private final Object lock = new Object();
    /** Changes handed over and not yet marked processed, in WAL order. */
    private final ArrayDeque<Pending> unmarked = new ArrayDeque<>();
    private DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer;

    /** A change record and, if it became an event record, that record and its send's outcome. */
    private static final class Pending {
        final RecordChangeEvent<SourceRecord> change;
        final ProducerRecord<byte[], byte[]> record;
        final long commitMicros;
        boolean done;
        RecordMetadata metadata;
        Exception error;

        Pending(RecordChangeEvent<SourceRecord> change, ProducerRecord<byte[], byte[]> record, long commitMicros) {
            this.change = change;
            this.record = record;
            this.commitMicros = commitMicros;
            this.done = record == null;
        }
    }

    /** A failed send: the record and Kafka's reason. */
    private record Failure(ProducerRecord<byte[], byte[]> record, Exception cause) {
    }

    EventPublisher(EventRecordEncoder encoder, Producer<byte[], byte[]> producer, TopicManager topics,
                   TopicLimits limits, BridgeMetrics metrics, String deadLetterTopic, long deliveryTimeoutMs,
                   int window, PublishedPositions positions, Consumer<BridgeException> onFailure) {
        this.encoder = encoder;
        this.producer = producer;
        this.topics = topics;
        this.limits = limits;
        this.metrics = metrics;
        this.deadLetterTopic = deadLetterTopic;
        this.deliveryTimeoutMs = deliveryTimeoutMs;
        this.window = Math.max(0, window);
        this.positions = positions;
        this.onFailure = onFailure;
    }

    /**
     * Stops the bridge with {@code reason} (called from the monitor loop): the producer is closed
     * at once, so that records waiting for a lost topic fail now rather than after
     * delivery.timeout.ms, and the bridge ends with this reason.
     */
    void stop(BridgeException reason) {
        stopRequest = reason;
        producer.close(Duration.ZERO);
        boolean idle;
        synchronized (lock) {
            idle = unmarked.isEmpty();
            lock.notifyAll();
        }
        if (idle && failureReported.compareAndSet(false, true)) {
            onFailure.accept(reason);
        }
    }

    /**
     * For a graceful stop: sends nothing more (later batches are read again after a restart) and
     * waits up to {@code timeout} until every record sent is acknowledged and its change marked
     * processed, so that the engine's last offset commit covers them. Returns early if a send fails.
     */
    void drain(Duration timeout) throws InterruptedException {
        closing = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!sending.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            log.warn("A batch was still being sent {} s after the stop began; its records are published again after a restart",
                    timeout.toSeconds());
            return;
        }
        sending.unlock();
        synchronized (lock) {
            long left;
            while (!unmarked.isEmpty() && !stopped() && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            if (!unmarked.isEmpty() && !stopped()) {
                log.warn("{} records not acknowledged by Kafka {} s after the stop began; they are published again after a"
                        + " restart", unmarked.size(), timeout.toSeconds());
            }
        }
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> changes,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        if (stopRequest != null) {
            throw stopRequest;
        }
        throwIfFailed();
        sending.lockInterruptibly();
        try {
            if (closing) {
                return; // a graceful stop: none of these is sent or marked, so a restart reads them again
            }
            synchronized (lock) {
                this.committer = committer;
            }
            for (RecordChangeEvent<SourceRecord> change : changes) {
                if (failure.get() != null) {
                    break; // the producer is closed: a record sent earlier was refused
                }
                SourceRecord raw = change.record();
                ProducerRecord<byte[], byte[]> record = encoder.encode(raw);
                if (record == null) {
                    // Not an event: a dropped update/delete/tombstone, or a heartbeat.
                    enqueue(new Pending(change, null, 0));
                    continue;
                }
                topics.ensureExists(record.topic());
                TopicLimits.Limit limit = limits.of(record.topic());
                record = limit.withAcceptedTimestamp(record, System.currentTimeMillis());
                int size = TopicLimits.sizeUpperBound(record);
                if (size > limit.maxRecordBytes()) {
                    // Kafka would refuse it: settle what went before, then park it or stop, before
                    // any later record (of its partition or any other) is sent.
                    awaitUnmarked(0);
                    throwIfFailed();
                    String tooLarge = "the record is up to " + size + " bytes, " + tooLargeFor(limit);
                    metrics.failed();
                    if (deadLetterTopic == null) {
                        throw new BridgeException(describe(record) + " is too large for Kafka: " + tooLarge
                                + "; raise the topic's max.message.bytes and the bridge's producer.max.request.size, or set"
                                + " errors.policy=dead-letter; the bridge resumes from this event");
                    }
                    String reason = RecordTooLargeException.class.getSimpleName() + ": " + tooLarge;
                    deadLetter(record, reason, describe(record));
                    enqueue(new Pending(change, null, 0));
                    continue;
                }
                Pending pending = new Pending(change, record, commitMicros(raw));
                enqueue(pending);
                send(pending);
            }
        } catch (IllegalStateException closed) {
            // The fence closed the producer while this batch was still being sent: the refusal it
            // recorded is what happened. Nothing after the refused record is marked processed.
            if (failure.get() == null) {
                throw stopRequest != null ? stopRequest : closed;
            }
        } finally {
            sending.unlock();
        }
        throwIfFailed();
        // Back-pressure: the next batch is read while at most `window` changes await Kafka.
        awaitUnmarked(window);
        throwIfFailed();
        committer.markBatchFinished();
    }

    private void enqueue(Pending pending) throws InterruptedException {
        synchronized (lock) {
            unmarked.add(pending);
            if (pending.done) {
                advance();
            }
        }
    }

    private void send(Pending pending) {
        producer.send(pending.record, (metadata, exception) -> {
            if (exception != null && failure.compareAndSet(null, new Failure(pending.record, exception))) {
                // Abort every record not yet acknowledged: none may land after this one. Called on
                // the producer's I/O thread (or the caller's, for a refusal at send), where only a
                // zero timeout is allowed.
                producer.close(Duration.ZERO);
            }
            synchronized (lock) {
                pending.done = true;
                pending.metadata = metadata;
                pending.error = exception;
                try {
                    advance();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (exception != null && failureReported.compareAndSet(false, true)) {
                metrics.failed();
                onFailure.accept(refused(failure.get()));
            }
        });
    }

    /**
     * Marks processed, in order, every change at the head of the queue whose record Kafka has
     * acknowledged (or that has none); stops at the first one still in flight or refused.
     * Called with {@link #lock} held.
     */
    private void advance() throws InterruptedException {
        try {
            while (!unmarked.isEmpty()) {
                Pending head = unmarked.peek();
                if (!head.done || head.error != null) {
                    return;
                }
                if (head.record != null) {
                    metrics.published(head.record, head.metadata, head.commitMicros);
                    positions.acknowledged(head.record.key(), head.record.headers(), head.metadata.topic(),
                            head.metadata.partition(), head.metadata.offset());
                }
                committer.markProcessed(head.change);
                unmarked.poll();
            }
        } finally {
            // Waiters wait for at most `window` unmarked changes (handleBatch) or none (drain, a
            // record too large): waking them on every acknowledgement above the window cost a
            // thread wake-up per event while a backlog drained.
            if (unmarked.size() <= window || stopped()) {
                lock.notifyAll();
            }
        }
    }

    /** Waits until at most {@code limit} changes are unmarked, or a send failed. */
    private void awaitUnmarked(int limit) throws InterruptedException {
        synchronized (lock) {
            while (unmarked.size() > limit && !stopped()) {
                lock.wait(1_000);
            }
        }
    }

    /** A send failed or the bridge is being stopped for a lost topic: nothing more will be acknowledged. */
    private boolean stopped() {
        return failure.get() != null || stopRequest != null;
    }

    private void throwIfFailed() {
        Failure first = failure.get();
        if (first != null) {
            throw refused(first);
        }
    }

    /** The bridge's exit message for a failed send: what really happened, and what to do. */
    private BridgeException refused(Failure failed) {
        if (stopRequest != null) {
            return stopRequest; // the producer was closed to stop the bridge: that is what happened
        }
        Throwable cause = failed.cause();
        String event = describe(failed.record());
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new BridgeException("Kafka did not acknowledge " + event + " within delivery.timeout.ms ("
                    + deliveryTimeoutMs + " ms): the brokers were unreachable or this process was paused; Kafka"
                    + " refused nothing. Restart the bridge: it resumes from the last acknowledged event", cause);
        }
        if (cause instanceof RecordTooLargeException) {
            return new BridgeException("Kafka refused " + event + ": " + cause.getMessage()
                    + " (the topic's max.message.bytes is lower than when the bridge read it); restart the bridge"
                    + " to read the topic's limit again, or raise it; nothing after this event was published", cause);
        }
        if (cause instanceof org.apache.kafka.common.errors.AuthorizationException) {
            return new BridgeException("Kafka refused " + event + ": " + cause.getMessage()
                    + "; grant the bridge's principal WRITE on topic " + failed.record().topic(), cause);
        }
        return new BridgeException("Kafka refused " + event + ": " + cause.getMessage()
                + "; nothing after this event was published", cause);
    }

    private static String tooLargeFor(TopicLimits.Limit limit) {
        int producer = limit.producerMaxRequestSize();
        int topic = limit.topicMaxMessageBytes();
        if (producer < topic) {
            return "more than the bridge's producer.max.request.size (" + producer + ")";
        }
        if (producer == topic) {
            return "more than topic " + limit.topic() + " (max.message.bytes) and the bridge (producer.max.request.size)"
                    + " take (" + producer + ")";
        }
        return "topic " + limit.topic() + " takes at most " + topic + " (max.message.bytes)";
    }

    private void deadLetter(ProducerRecord<byte[], byte[]> record, String reason, String event)
            throws InterruptedException {
        topics.ensureExists(deadLetterTopic);
        TopicLimits.Limit limit = limits.of(deadLetterTopic);
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        String cut = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
        headers.add(HEADER_ERROR_REASON, cut.getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_ERROR_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> dead = limit.withAcceptedTimestamp(new ProducerRecord<>(deadLetterTopic, null,
                record.timestamp(), record.key(), record.value(), headers), System.currentTimeMillis());
        if (TopicLimits.sizeUpperBound(dead) > limit.maxRecordBytes()) {
            // Too large for the dead-letter topic as well: park the record without its value.
            // PostgreSQL keeps the event; its ids in the headers say which one to republish once
            // the limits allow.
            headers.add(HEADER_VALUE_DROPPED, Integer.toString(record.value() == null ? 0 : record.value().length)
                    .getBytes(StandardCharsets.UTF_8));
            dead = new ProducerRecord<>(deadLetterTopic, null, dead.timestamp(), record.key(), null, headers);
        }
        try {
            producer.send(dead).get();
            metrics.deadLettered();
            log.warn("Kafka would refuse {} ({}); sent it to dead-letter topic {}", event, cut, deadLetterTopic);
        } catch (ExecutionException e) {
            throw new BridgeException("Kafka would refuse " + event + " (" + cut + ") and refused its dead-letter record"
                    + " too: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** "event 42 (stream game-7, version 3, topic eventstore.game)": ids only, never contents. */
    static String describe(ProducerRecord<byte[], byte[]> record) {
        return "event " + header(record, EventRecordHeaders.ID)
                + " (stream " + (record.key() == null ? "?" : new String(record.key(), StandardCharsets.UTF_8))
                + ", version " + header(record, EventRecordHeaders.STREAM_VERSION)
                + ", topic " + record.topic() + ")";
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        org.apache.kafka.common.header.Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? "?" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The commit time of the change's transaction in epoch microseconds, or 0 if unknown. */
    static long commitMicros(SourceRecord raw) {
        if (raw.value() instanceof Struct envelope && envelope.schema().field("source") != null
                && envelope.get("source") instanceof Struct source) {
            if ("r".equals(envelope.schema().field("op") == null ? null : envelope.get("op"))) {
                return 0; // a snapshot read: its time is the snapshot's, not a commit's
            }
            if (source.schema().field("ts_us") != null && source.get("ts_us") instanceof Long micros) {
                return micros;
            }
            if (source.schema().field("ts_ms") != null && source.get("ts_ms") instanceof Long millis) {
                return millis * 1000;
            }
        }
        return 0;
    }
}
