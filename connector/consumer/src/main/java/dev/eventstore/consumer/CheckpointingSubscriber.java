package dev.eventstore.consumer;

import static dev.eventstore.consumer.RecordPositions.oneLine;

import dev.eventstore.EventStore;
import dev.eventstore.SubscriptionStore;
import dev.eventstore.serializer.EventSerializer;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
 *
 * <p>This class runs the subscriber's life and its poll loop; each record goes to a
 * {@link RecordHandler} (retries and errors policy), which applies it with an
 * {@link ExactlyOnceApplier} and parks it with {@link DeadLetterParking}; {@link OffsetCommits}
 * commits Kafka offsets and {@link ResumingRebalanceListener} seeks assigned partitions.
 */
public final class CheckpointingSubscriber implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CheckpointingSubscriber.class);
    private static final AtomicLong THREADS = new AtomicLong();

    /** The subscriber's life: {@code NEW}, then {@code RUNNING}, then {@code STOPPED} (closed) or {@code FAILED}. */
    public enum State { NEW, RUNNING, STOPPED, FAILED }

    private final CheckpointingSubscriberConfig config;
    private final SubscriptionStore subscriptions;
    private final DeadLetterParking deadLetters;
    private final RecordHandler records;
    private final String subscriptionId;

    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile ResumingRebalanceListener rebalance;
    private volatile SubscriberException failure;

    private CheckpointingSubscriber(Builder builder) {
        this.config = builder.config;
        this.subscriptions = builder.store.subscriptions();
        this.subscriptionId = config.subscriptionId();
        this.deadLetters = new DeadLetterParking(config, subscriptions);
        EventRecordDeserializer deserializer = builder.deserializer != null ? builder.deserializer
                : new EventRecordDeserializer(builder.serializer, config.deserializerStrict());
        this.records = new RecordHandler(config, deserializer,
                new ExactlyOnceApplier(builder.store.dataSource(), subscriptions, builder.handler, subscriptionId),
                deadLetters, builder.afterCommit, stopRequested);
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
        return records.processed();
    }

    /** Events skipped because the group's recorded position in their stream was already at or past them. */
    public long duplicateCount() {
        return records.duplicates();
    }

    /**
     * The partitions this member owns now (empty before its first assignment and after it stops); a
     * snapshot, updated by the rebalance listener.
     */
    public Set<TopicPartition> assignment() {
        ResumingRebalanceListener listener = rebalance;
        return listener == null ? Set.of() : listener.assignment();
    }

    /** Records parked on the dead-letter topic. */
    public long parkedCount() {
        return deadLetters.count();
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
                    subscriptionId, records.processed(), records.duplicates(), deadLetters.count());
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
        OffsetCommits commits = new OffsetCommits(subscriptionId, config.closeTimeoutMs());
        try {
            if (stopping()) {
                return;
            }
            Pattern pattern = config.topicPattern();
            ResumingRebalanceListener listener = new ResumingRebalanceListener(c, subscriptions, commits, subscriptionId);
            rebalance = listener;
            if (pattern != null) {
                c.subscribe(pattern, listener);
            } else {
                c.subscribe(config.topics(), listener);
            }
            log.info("Subscriber {} started on {}", subscriptionId, pattern != null ? "/" + pattern + "/" : config.topics());
            Duration pollTimeout = Duration.ofMillis(config.pollTimeoutMs());
            while (!stopping()) {
                ConsumerRecords<String, byte[]> polled;
                try {
                    polled = c.poll(pollTimeout);
                } catch (WakeupException e) {
                    if (stopping()) {
                        break;
                    }
                    throw e;
                } catch (KafkaException e) {
                    // Kafka wraps what the rebalance listener throws.
                    throw listener.failure() != null ? listener.failure() : e;
                }
                if (!handle(polled, commits)) {
                    break;
                }
                commits.commitAsync(c);
            }
        } finally {
            commits.commitOnExit(c);
            deadLetters.close();
            try {
                c.close(CloseOptions.timeout(Duration.ofMillis(config.closeTimeoutMs())));
            } catch (RuntimeException e) {
                log.warn("Subscriber {}: closing the Kafka consumer failed: {}", subscriptionId, oneLine(e));
            }
            consumer = null;
            rebalance = null;
        }
    }

    /** Handles a poll's records, partition by partition in offset order; {@code false} once stopping. */
    private boolean handle(ConsumerRecords<String, byte[]> polled, OffsetCommits commits) {
        for (TopicPartition partition : polled.partitions()) {
            for (ConsumerRecord<String, byte[]> record : polled.records(partition)) {
                if (stopping()) {
                    return false;
                }
                if (!records.handle(record)) {
                    return false;
                }
                commits.done(record);
            }
        }
        return true;
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
