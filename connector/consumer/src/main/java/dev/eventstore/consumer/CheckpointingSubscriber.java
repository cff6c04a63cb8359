package dev.eventstore.consumer;

import dev.eventstore.EventStore;
import dev.eventstore.EventStoreException;
import dev.eventstore.PartitionPosition;
import dev.eventstore.StreamNotFoundException;
import dev.eventstore.SubscriptionStore;
import dev.eventstore.consumer.CheckpointingSubscriberConfig.ErrorsPolicy;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.serializer.EventSerializer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka consumer group member that applies each event exactly once to a PostgreSQL read model:
 * it runs an {@link EventHandler} per event inside a PostgreSQL transaction and, in that same
 * transaction, records the group's position in the event's stream in the {@code subscriptions}
 * table (last event id and stream version, and {@code {"topic":..,"partition":..,"offset":..}} in
 * its metadata). Kafka offsets are committed after, asynchronously after each poll's records and
 * synchronously when partitions are revoked and on close.
 *
 * <pre>{@code
 * CheckpointingSubscriber subscriber = CheckpointingSubscriber.builder(Map.of(
 *                 "group.id", "leaderboard",
 *                 "topics", "eventstore.game",
 *                 "bootstrap.servers", "localhost:9092"))
 *         .eventStore(store)                       // its DataSource and SubscriptionStore
 *         .serializer(GameEvents.serializer())     // event type registry and upcasters
 *         .handler((event, connection) -> {
 *             if (event.data() instanceof GuessProcessed guess && guess.correct()) {
 *                 try (var add = connection.prepareStatement(
 *                         "INSERT INTO leaderboard (player_id, points) VALUES (?, ?)"
 *                                 + " ON CONFLICT (player_id) DO UPDATE SET points = leaderboard.points + EXCLUDED.points")) {
 *                     add.setString(1, guess.playerId());
 *                     add.setInt(2, guess.points());
 *                     add.executeUpdate();
 *                 }
 *             }
 *         })
 *         .build()
 *         .start();                                // its own thread; or run() on yours
 * ...
 * subscriber.close();                              // bounded by close.timeout.ms
 * }</pre>
 *
 * <h2>Exactly once into PostgreSQL</h2>
 * In each event's transaction the position is recorded <b>first</b>
 * ({@link SubscriptionStore#recordPosition(Connection, String, String, long, long, String)}): it
 * locks the group's row of the stream, and it moves only forward. If the recorded stream version is
 * already at or past the event's, the event is a duplicate (the bridge publishes at least once; a
 * rebalance or a crash hands a partition over before its Kafka offset was committed; another member
 * of the group, presumed dead, is still finishing it): the transaction is rolled back and the handler
 * is not called. Otherwise the handler runs and both commit together. A crash anywhere (before the
 * commit, or after it and before the Kafka commit) therefore never applies an event twice, nor
 * loses one.
 *
 * <h2>Where it resumes</h2>
 * When partitions are assigned (at start and at every rebalance), each is sought to the position
 * recorded in PostgreSQL ({@link SubscriptionStore#partitionPositions(String)}: the highest recorded
 * offset plus one) when that is ahead of the group's committed Kafka offset; where PostgreSQL records
 * nothing, Kafka's committed offset (or {@code auto.offset.reset}) applies. A recorded position past
 * the partition's end (the topic was deleted and recreated) reads the partition from its beginning:
 * events already applied are skipped by stream version.
 *
 * <h2>Failures</h2>
 * A failing handler is retried, each attempt in a new transaction, with exponential backoff, up to
 * {@code errors.retry.attempts}; then {@code errors.policy} applies: {@code fail} (the default) stops
 * the subscriber with a {@link SubscriberException} naming the event, {@code dead-letter} parks the
 * record on the dead-letter topic (see {@link DeadLetterHeaders}), records the event's position and
 * carries on. A malformed record ({@link MalformedEventRecordException}) is treated the same way,
 * without retries. PostgreSQL failing (no connection, a failed commit) stops the subscriber whatever
 * the policy, after the same retries.
 *
 * <p>Events of one partition are handled one at a time, in offset order (so each stream in order),
 * all on the subscriber's thread. The handler never sees record contents in logs: they are logged
 * only at TRACE.
 */
public final class CheckpointingSubscriber implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CheckpointingSubscriber.class);
    private static final AtomicLong THREADS = new AtomicLong();

    /** The subscriber's life: {@code NEW}, then {@code RUNNING}, then {@code STOPPED} (closed) or {@code FAILED}. */
    public enum State { NEW, RUNNING, STOPPED, FAILED }

    private final CheckpointingSubscriberConfig config;
    private final DataSource dataSource;
    private final SubscriptionStore subscriptions;
    private final EventRecordDeserializer deserializer;
    private final EventHandler handler;
    private final Consumer<ConsumedEvent> afterCommit;
    private final String subscriptionId;

    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private volatile Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile SubscriberException failure;
    private volatile SubscriberException listenerFailure;
    private volatile Set<TopicPartition> assignment = Set.of();

    // Owned by the subscriber's thread.
    private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    private boolean uncommitted;
    private KafkaProducer<String, byte[]> deadLetterProducer;

    private CheckpointingSubscriber(Builder builder) {
        this.config = builder.config;
        this.dataSource = builder.store.dataSource();
        this.subscriptions = builder.store.subscriptions();
        this.deserializer = builder.deserializer != null ? builder.deserializer
                : new EventRecordDeserializer(builder.serializer, config.deserializerStrict());
        this.handler = builder.handler;
        this.afterCommit = builder.afterCommit;
        this.subscriptionId = config.subscriptionId();
    }

    /** A builder for a subscriber with {@code config}. */
    public static Builder builder(CheckpointingSubscriberConfig config) {
        return new Builder(config);
    }

    /** A builder for a subscriber configured by {@code config} (keys of {@link CheckpointingSubscriberConfig}). */
    public static Builder builder(Map<String, ?> config) {
        return new Builder(new CheckpointingSubscriberConfig(config));
    }

    /** The subscription id (the consumer group id). */
    public String subscriptionId() {
        return subscriptionId;
    }

    public CheckpointingSubscriberConfig config() {
        return config;
    }

    public State state() {
        return state.get();
    }

    /** Why the subscriber stopped, if it failed. */
    public Optional<SubscriberException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Events handed to the handler and committed (with their positions). */
    public long processedCount() {
        return processed.get();
    }

    /** Events skipped because the group's recorded position in their stream was already at or past them. */
    public long duplicateCount() {
        return duplicates.get();
    }

    /**
     * The partitions this member owns now (empty before its first assignment and after it stops); a
     * snapshot, updated by the rebalance listener.
     */
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    /** Records parked on the dead-letter topic. */
    public long parkedCount() {
        return parked.get();
    }

    /** Runs {@link #run()} on a new thread named {@code eventstore-subscriber-<group id>-<n>}; returns at once. */
    public CheckpointingSubscriber start() {
        if (state.get() != State.NEW) {
            throw new IllegalStateException("subscriber " + subscriptionId + " is " + state.get() + ": a subscriber runs once");
        }
        Thread t = new Thread(() -> {
            try {
                run();
            } catch (SubscriberException e) {
                // Logged and kept in failure().
            }
        }, "eventstore-subscriber-" + subscriptionId + "-" + THREADS.incrementAndGet());
        thread = t;
        t.start();
        return this;
    }

    /**
     * Joins the group and handles events until {@link #close()} (then returns) or a failure (then
     * throws it, after committing what was processed and leaving the group).
     *
     * @throws SubscriberException why it stopped, naming the event or record
     * @throws IllegalStateException if it already ran
     */
    @Override
    public void run() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("subscriber " + subscriptionId + " is " + state.get() + ": a subscriber runs once");
        }
        thread = Thread.currentThread();
        try {
            if (!stopping()) {
                consume();
            }
            state.set(State.STOPPED);
            log.info("Subscriber {} stopped: {} events processed, {} duplicates skipped, {} records parked",
                    subscriptionId, processed.get(), duplicates.get(), parked.get());
        } catch (org.apache.kafka.common.errors.InterruptException | WakeupException e) {
            if (!stopping()) {
                throw fail(e);
            }
            // close() gave up waiting and interrupted the thread.
            state.set(State.STOPPED);
            log.info("Subscriber {} stopped (interrupted while closing)", subscriptionId);
        } catch (RuntimeException | Error e) {
            throw fail(e);
        } finally {
            finished.countDown();
        }
    }

    private SubscriberException fail(Throwable e) {
        SubscriberException stop = e instanceof SubscriberException s ? s
                : new SubscriberException("Subscriber " + subscriptionId + " failed: " + oneLine(e), e);
        failure = stop;
        state.set(State.FAILED);
        log.error("Subscriber {} stopped: {}", subscriptionId, stop.getMessage());
        return stop;
    }

    /**
     * Stops the subscriber: the event in hand finishes (or its retries are abandoned, rolled back),
     * processed offsets are committed, the consumer leaves its group. Waits at most
     * {@code close.timeout.ms}, then interrupts the subscriber's thread. Idempotent.
     */
    @Override
    public void close() {
        stopRequested.countDown();
        if (state.compareAndSet(State.NEW, State.STOPPED)) {
            finished.countDown();
            return;
        }
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            if (!finished.await(config.closeTimeoutMs(), TimeUnit.MILLISECONDS)) {
                log.warn("Subscriber {} did not stop within {} ms; interrupting its thread", subscriptionId,
                        config.closeTimeoutMs());
                t.interrupt();
                if (!finished.await(5, TimeUnit.SECONDS)) {
                    log.warn("Subscriber {} still running after an interrupt (a handler that ignores it?)", subscriptionId);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the subscriber has stopped (closed or failed); {@code true} if it has. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private boolean stopping() {
        return stopRequested.getCount() == 0;
    }

    // ---------------------------------------------------------------- the poll loop

    private void consume() {
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config.consumerProperties(), new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer = c;
        try {
            if (stopping()) {
                return;
            }
            Pattern pattern = config.topicPattern();
            Rebalance listener = new Rebalance(c);
            if (pattern != null) {
                c.subscribe(pattern, listener);
            } else {
                c.subscribe(config.topics(), listener);
            }
            log.info("Subscriber {} started on {}", subscriptionId, pattern != null ? "/" + pattern + "/" : config.topics());
            Duration pollTimeout = Duration.ofMillis(config.pollTimeoutMs());
            while (!stopping()) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = c.poll(pollTimeout);
                } catch (WakeupException e) {
                    if (stopping()) {
                        break;
                    }
                    throw e;
                } catch (KafkaException e) {
                    // Kafka wraps what the rebalance listener throws.
                    throw listenerFailure != null ? listenerFailure : e;
                }
                if (!handle(records)) {
                    break;
                }
                commitAsync(c);
            }
        } finally {
            commitOnExit(c);
            closeDeadLetterProducer();
            try {
                c.close(CloseOptions.timeout(Duration.ofMillis(config.closeTimeoutMs())));
            } catch (RuntimeException e) {
                log.warn("Subscriber {}: closing the Kafka consumer failed: {}", subscriptionId, oneLine(e));
            }
            consumer = null;
            assignment = Set.of();
        }
    }

    /** Handles a poll's records, partition by partition in offset order; {@code false} once stopping. */
    private boolean handle(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                if (stopping()) {
                    return false;
                }
                if (!handle(record)) {
                    return false;
                }
                pending.put(partition, new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""));
                uncommitted = true;
            }
        }
        return true;
    }

    /** Handles one record; {@code false} if the subscriber is stopping and the record was not dealt with. */
    private boolean handle(ConsumerRecord<String, byte[]> record) {
        ConsumedEvent event;
        try {
            event = deserializer.deserialize(record.topic(), record.headers(), record.value())
                    .withPosition(record.topic(), record.partition(), record.offset());
        } catch (MalformedEventRecordException e) {
            String where = position(record);
            if (config.errorsPolicy() == ErrorsPolicy.DEAD_LETTER) {
                park(record, DeadLetterHeaders.REASON_MALFORMED_RECORD, e.problem().code(), e.detail(), 0);
                return true;
            }
            throw new SubscriberException("Subscriber " + subscriptionId + " cannot read the record at " + where + ": "
                    + e.detail() + " (errors.policy=fail; with dead-letter it would be parked)", e);
        }
        if (log.isTraceEnabled()) {
            log.trace("Subscriber {} handling {} data {} metadata {}", subscriptionId, event, event.data(), event.metadata());
        }
        String checkpoint = checkpoint(record);
        int attempts = config.retryAttempts();
        Failure last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                if (applyOnce(event, checkpoint)) {
                    processed.incrementAndGet();
                    notifyAfterCommit(event);
                } else {
                    duplicates.incrementAndGet();
                    log.debug("Subscriber {} skipped {}: its stream's recorded position is at or past it", subscriptionId, event);
                }
                return true;
            } catch (Failure f) {
                last = f;
            }
            if (attempt < attempts) {
                long wait = config.backoffMs(attempt);
                log.warn("Subscriber {}: {} failed on {} (attempt {} of {}): {}; retrying in {} ms", subscriptionId,
                        last.infrastructure ? "PostgreSQL" : "the handler", describe(event), attempt, attempts,
                        oneLine(last.getCause()), wait);
                if (awaitStop(wait)) {
                    log.info("Subscriber {} stopping: retries of {} abandoned; it is handled again at the next start",
                            subscriptionId, describe(event));
                    return false;
                }
            }
        }
        Throwable cause = last.getCause();
        if (!last.infrastructure && config.errorsPolicy() == ErrorsPolicy.DEAD_LETTER) {
            park(record, DeadLetterHeaders.REASON_HANDLER_FAILED, cause.getClass().getName(), oneLine(cause), attempts);
            recordParkedPosition(event, checkpoint);
            return true;
        }
        throw new SubscriberException("Subscriber " + subscriptionId + ": " + (last.infrastructure ? "PostgreSQL" : "the handler")
                + " failed " + attempts + (attempts == 1 ? " time" : " times") + " on event " + describe(event) + ": "
                + oneLine(cause), cause);
    }

    /**
     * One attempt at an event, in one transaction: position first (the duplicate check, under the
     * row's lock), then the handler, then commit. {@code true} if applied, {@code false} if a duplicate.
     */
    private boolean applyOnce(ConsumedEvent event, String checkpoint) throws Failure {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new Failure(e, true);
        }
        try {
            return applyOn(connection, event, checkpoint);
        } catch (Failure | RuntimeException | Error e) {
            rollbackQuietly(connection);
            throw e;
        } finally {
            closeQuietly(connection);
        }
    }

    private boolean applyOn(Connection connection, ConsumedEvent event, String checkpoint) throws Failure {
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new Failure(e, true);
        }
        boolean moved;
        try {
            moved = subscriptions.recordPosition(connection, subscriptionId, event.streamId(), event.eventId(),
                    event.streamVersion(), checkpoint);
        } catch (StreamNotFoundException e) {
            // Not this store's event (a topic fed by another store, a store reset under a topic).
            throw new Failure(e, false);
        } catch (EventStoreException e) {
            throw new Failure(e, true);
        }
        try {
            if (!moved) {
                connection.rollback();
                return false;
            }
        } catch (SQLException e) {
            throw new Failure(e, true);
        }
        try {
            handler.handle(event, connection);
        } catch (Exception e) {
            throw new Failure(e, isConnectionFailure(e));
        }
        try {
            if (connection.isClosed() || connection.getAutoCommit()) {
                throw new Failure(new IllegalStateException("the handler " + (connection.isClosed()
                        ? "closed the connection" : "turned auto-commit on")
                        + ": it must leave the transaction to the subscriber"), false);
            }
            connection.commit();
            return true;
        } catch (SQLException e) {
            // A deferred constraint or a serialization failure is the handler's; anything else is PostgreSQL's.
            String state = e.getSQLState();
            boolean handlers = state != null && (state.startsWith("23") || state.startsWith("40"));
            throw new Failure(e, !handlers);
        }
    }

    private void notifyAfterCommit(ConsumedEvent event) {
        if (afterCommit != null) {
            try {
                afterCommit.accept(event);
            } catch (RuntimeException e) {
                log.warn("Subscriber {}: the after-commit callback failed on {}: {}", subscriptionId, describe(event), oneLine(e));
            }
        }
    }

    /** Waits {@code millis} unless the subscriber is asked to stop; {@code true} if it is. */
    private boolean awaitStop(long millis) {
        try {
            return stopRequested.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    // ---------------------------------------------------------------- dead letters

    private void park(ConsumerRecord<String, byte[]> record, String reason, String errorClass, String message, int attempts) {
        String topic = config.deadLetterTopic();
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith("eventstore.dlt.")) {
                headers.add(header);
            }
        }
        add(headers, DeadLetterHeaders.REASON, reason);
        add(headers, DeadLetterHeaders.ERROR_CLASS, errorClass);
        add(headers, DeadLetterHeaders.ERROR_MESSAGE, message);
        add(headers, DeadLetterHeaders.SUBSCRIPTION, subscriptionId);
        add(headers, DeadLetterHeaders.ORIGINAL_TOPIC, record.topic());
        add(headers, DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(record.partition()));
        add(headers, DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(record.offset()));
        add(headers, DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts));
        add(headers, DeadLetterHeaders.PARKED_AT, Instant.now().toString());
        Long timestamp = record.timestamp() >= 0 ? record.timestamp() : null;
        ProducerRecord<String, byte[]> parkedRecord = new ProducerRecord<>(topic, null, timestamp, record.key(),
                record.value(), headers);
        try {
            deadLetterProducer().send(parkedRecord).get(config.deadLetterTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SubscriberException("Subscriber " + subscriptionId + " interrupted while parking the record at "
                    + position(record) + " on " + topic, e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new SubscriberException("Subscriber " + subscriptionId + " cannot park the record at " + position(record)
                    + " on dead-letter topic " + topic + ": " + oneLine(cause), cause);
        }
        parked.incrementAndGet();
        log.warn("Subscriber {} parked the record at {} on {} ({}): {}", subscriptionId, position(record), topic, reason, message);
    }

    /** After parking an event: its position, alone in a transaction, so that it is not handled again. */
    private void recordParkedPosition(ConsumedEvent event, String checkpoint) {
        try {
            subscriptions.recordPosition(subscriptionId, event.streamId(), event.eventId(), event.streamVersion(), checkpoint);
        } catch (StreamNotFoundException e) {
            log.warn("Subscriber {}: no position recorded for parked {}: its stream is not in this store", subscriptionId,
                    describe(event));
        } catch (RuntimeException e) {
            throw new SubscriberException("Subscriber " + subscriptionId + " parked " + describe(event)
                    + " but cannot record its position: " + oneLine(e) + "; it is parked again at the next start", e);
        }
    }

    private KafkaProducer<String, byte[]> deadLetterProducer() {
        if (deadLetterProducer == null) {
            deadLetterProducer = new KafkaProducer<>(config.deadLetterProducerProperties(), new StringSerializer(),
                    new ByteArraySerializer());
        }
        return deadLetterProducer;
    }

    private void closeDeadLetterProducer() {
        if (deadLetterProducer != null) {
            try {
                deadLetterProducer.close(Duration.ofMillis(Math.min(config.closeTimeoutMs(), config.deadLetterTimeoutMs())));
            } catch (RuntimeException e) {
                log.warn("Subscriber {}: closing the dead-letter producer failed: {}", subscriptionId, oneLine(e));
            }
            deadLetterProducer = null;
        }
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- Kafka offsets

    private void commitAsync(KafkaConsumer<String, byte[]> c) {
        if (!uncommitted || pending.isEmpty()) {
            return;
        }
        c.commitAsync(new HashMap<>(pending), (offsets, e) -> {
            if (e != null) {
                // Harmless: PostgreSQL holds the positions; the next commit or the next owner catches up.
                log.debug("Subscriber {}: an offset commit failed: {}", subscriptionId, oneLine(e));
            }
        });
        uncommitted = false;
    }

    private void commitOnExit(KafkaConsumer<String, byte[]> c) {
        if (pending.isEmpty()) {
            return;
        }
        commitSync(c, new HashMap<>(pending), "on close");
        pending.clear();
    }

    private void commitSync(KafkaConsumer<String, byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets, String when) {
        Duration timeout = Duration.ofMillis(Math.max(1, config.closeTimeoutMs()));
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                c.commitSync(offsets, timeout);
                log.debug("Subscriber {} committed {} {}", subscriptionId, offsets, when);
                return;
            } catch (WakeupException e) {
                // close() woke the consumer up: try once more, the wake-up is spent.
            } catch (RuntimeException e) {
                log.info("Subscriber {}: offsets not committed {} ({}); PostgreSQL's positions cover them", subscriptionId,
                        when, oneLine(e));
                return;
            }
        }
    }

    /** Seeks, commits and forgets on rebalances; runs on the subscriber's thread, inside poll(). */
    private final class Rebalance implements ConsumerRebalanceListener {

        private void forget(Collection<TopicPartition> partitions) {
            Set<TopicPartition> owned = new HashSet<>(assignment);
            owned.removeAll(partitions);
            assignment = Set.copyOf(owned);
        }

        private final KafkaConsumer<String, byte[]> consumer;

        Rebalance(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = pending.remove(partition);
                if (offset != null) {
                    offsets.put(partition, offset);
                }
            }
            if (!offsets.isEmpty()) {
                commitSync(consumer, offsets, "on revocation");
            }
            forget(partitions);
            if (!partitions.isEmpty()) {
                log.info("Subscriber {} gave up {}", subscriptionId, partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            pending.keySet().removeAll(partitions);
            forget(partitions);
            log.warn("Subscriber {} lost {} (its group membership lapsed); their new owner resumes from PostgreSQL's"
                    + " positions", subscriptionId, partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Set<TopicPartition> owned = new HashSet<>(assignment);
            owned.addAll(partitions);
            assignment = Set.copyOf(owned);
            log.info("Subscriber {} assigned {}", subscriptionId, partitions);
            List<PartitionPosition> positions;
            try {
                positions = subscriptions.partitionPositions(subscriptionId);
            } catch (RuntimeException e) {
                listenerFailure = new SubscriberException("Subscriber " + subscriptionId + " cannot read its positions"
                        + " from PostgreSQL to seek " + partitions + ": " + oneLine(e), e);
                throw listenerFailure;
            }
            Map<TopicPartition, Long> recorded = new HashMap<>();
            for (PartitionPosition position : positions) {
                TopicPartition partition = new TopicPartition(position.topic(), position.partition());
                if (partitions.contains(partition)) {
                    recorded.put(partition, position.nextOffset());
                }
            }
            if (recorded.isEmpty()) {
                return;
            }
            Set<TopicPartition> sought = recorded.keySet();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(sought);
            Map<TopicPartition, Long> ends = consumer.endOffsets(sought);
            for (Map.Entry<TopicPartition, Long> entry : recorded.entrySet()) {
                TopicPartition partition = entry.getKey();
                long next = entry.getValue();
                Long end = ends.get(partition);
                OffsetAndMetadata kafka = committed.get(partition);
                if (end != null && next > end) {
                    log.warn("Subscriber {}: the position recorded in PostgreSQL for {} (offset {}) is past its end ({}):"
                            + " was the topic recreated? Reading it from the beginning; events already applied are"
                            + " skipped by stream version", subscriptionId, partition, next, end);
                    consumer.seekToBeginning(Set.of(partition));
                } else if (kafka == null || kafka.offset() < next) {
                    consumer.seek(partition, next);
                    log.info("Subscriber {} resumes {} at offset {}, recorded in PostgreSQL (Kafka's committed offset: {})",
                            subscriptionId, partition, next, kafka == null ? "none" : kafka.offset());
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String checkpoint(ConsumerRecord<?, ?> record) {
        StringBuilder json = new StringBuilder(64).append("{\"topic\":\"");
        for (char ch : record.topic().toCharArray()) {
            if (ch == '"' || ch == '\\') {
                json.append('\\');
            }
            json.append(ch);
        }
        return json.append("\",\"partition\":").append(record.partition())
                .append(",\"offset\":").append(record.offset()).append('}').toString();
    }

    private static String position(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static String describe(ConsumedEvent event) {
        return event.streamId() + "@" + event.streamVersion() + " (event " + event.eventId() + ", " + event.eventType()
                + ") at " + event.position();
    }

    private static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLRecoverableException) {
                return true;
            }
        }
        return PostgresErrors.isConnectionFailure(e);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.isClosed() && !connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("Rollback failed: {}", e.getMessage());
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            if (!connection.isClosed()) {
                connection.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("Resetting auto-commit failed: {}", e.getMessage());
        }
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            log.debug("Closing a connection failed: {}", e.getMessage());
        }
    }

    /** One line: the exception's class and the first line of its message (a driver's Detail line, with values, is left out). */
    static String oneLine(Throwable e) {
        if (e == null) {
            return "unknown cause";
        }
        String message = e instanceof SQLException ? PostgresErrors.describe(e) : e.getMessage();
        if (message != null) {
            int newline = message.indexOf('\n');
            message = (newline >= 0 ? message.substring(0, newline) : message).strip();
        }
        return e.getClass().getSimpleName() + (message == null || message.isEmpty() ? "" : ": " + message);
    }

    /** One failed attempt: its cause, and whether PostgreSQL itself failed (then never parked). */
    private static final class Failure extends Exception {

        private static final long serialVersionUID = 1L;
        final boolean infrastructure;

        Failure(Throwable cause, boolean infrastructure) {
            super(cause.getMessage(), cause, false, false);
            this.infrastructure = infrastructure;
        }
    }

    /** Builds a {@link CheckpointingSubscriber}: an event store, a serializer (or deserializer) and a handler are required. */
    public static final class Builder {

        private final CheckpointingSubscriberConfig config;
        private EventStore store;
        private EventSerializer serializer;
        private EventRecordDeserializer deserializer;
        private EventHandler handler;
        private Consumer<ConsumedEvent> afterCommit;

        private Builder(CheckpointingSubscriberConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The event store: its data source runs the transactions, its subscription store keeps the positions. */
        public Builder eventStore(EventStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The serializer whose registry and upcasters type the events ({@code deserializer.strict} applies). */
        public Builder serializer(EventSerializer serializer) {
            this.serializer = Objects.requireNonNull(serializer, "serializer");
            return this;
        }

        /** A configured deserializer, instead of {@link #serializer}. */
        public Builder deserializer(EventRecordDeserializer deserializer) {
            this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
            return this;
        }

        public Builder handler(EventHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Called on the subscriber's thread after an event's transaction committed and before its
         * Kafka offset is committed (for metrics, or a test that crashes there). An exception it
         * throws is logged and ignored.
         */
        public Builder afterCommit(Consumer<ConsumedEvent> callback) {
            this.afterCommit = Objects.requireNonNull(callback, "callback");
            return this;
        }

        public CheckpointingSubscriber build() {
            if (store == null) {
                throw new IllegalStateException("an event store is required: eventStore(store)");
            }
            if (serializer == null && deserializer == null) {
                throw new IllegalStateException("a serializer is required: serializer(serializer)");
            }
            if (deserializer != null && deserializer.serializer() == null) {
                throw new IllegalStateException("the deserializer is not configured: it has no serializer");
            }
            if (handler == null) {
                throw new IllegalStateException("a handler is required: handler((event, connection) -> ...)");
            }
            return new CheckpointingSubscriber(this);
        }
    }
}
