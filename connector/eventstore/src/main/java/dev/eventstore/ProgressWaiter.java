package dev.eventstore;

import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until a stream reaches a version in Kafka ({@code published_streams}) or in a consumer
 * group ({@code subscriptions}), for {@link EventStore#awaitPublished} and
 * {@link EventStore#awaitConsumed}.
 *
 * <p>The writers of both tables send a notification on {@value #CHANNEL} when a row moves (the
 * bridge or the offset mirror for published positions, {@code record_subscription_position} for
 * consumed ones). One listener thread per store, started by the first wait and ended
 * {@value #IDLE_SECONDS} s after the last, holds one connection that listens (outside the pool of
 * a store opened from its configuration), and answers every waiter of a target with one query per
 * batch of notifications. What a wait costs the database:
 * <ul>
 *   <li>one query when it starts (the position may already be there), on one of up to
 *       {@value #LOOKUP_THREADS} lookup threads (ended when idle), so that a pool without a free
 *       connection or a server that stopped answering does not hold the caller past its timeout;
 *       none if the listener has answered it first;</li>
 *   <li>its share of the listener's queries: one per batch of notifications and target with
 *       waiters, shared by all of that target's waiters, and one per target and second (so that a
 *       lost notification or a writer that sends none delays a wait by at most a second, whatever
 *       other notifications arrive);</li>
 *   <li>one more query if it times out, for the facts its exception reports (waited for at most
 *       {@value #FACTS_MILLIS} ms; it also catches a position reached at the last moment, so that a
 *       zero timeout is one check).</li>
 * </ul>
 * A waiter registers before its first query and the listener queries once after every LISTEN, so
 * that no position written in between is missed. Every read of positions gives up after
 * {@value #NETWORK_TIMEOUT_MILLIS} ms without an answer.
 */
final class ProgressWaiter implements AutoCloseable {

    static final String CHANNEL = "eventstore_progress";
    static final int IDLE_SECONDS = 30;
    private static final int FALLBACK_MILLIS = 1_000;
    /** Longest a read of positions may go unanswered before its connection is given up. */
    private static final int NETWORK_TIMEOUT_MILLIS = 10_000;
    /** How long a timed-out wait waits for the facts its exception reports. */
    private static final long FACTS_MILLIS = 1_000;
    /**
     * Most lookups at once; a wait that finds them all busy skips its first check (the listener's
     * check within a second answers it) and a timed-out one reports its facts as unread.
     */
    private static final int LOOKUP_THREADS = 32;
    /** The target of waits until published; a consumer group's target is its name. */
    private static final String PUBLISHED = "";

    private static final Logger log = LoggerFactory.getLogger(ProgressWaiter.class);

    private static final class Waiter {
        final String streamId;
        final long version;
        final CompletableFuture<Void> reached = new CompletableFuture<>();

        Waiter(String streamId, long version) {
            this.streamId = streamId;
            this.version = version;
        }
    }

    private final DataSource dataSource;
    private final DataSource listenerSource;
    private final SchemaName schema;
    private final String payloadPrefix;
    private final Object lock = new Object();
    /** Waiters per target (guarded by {@link #lock}). */
    private final Map<String, Set<Waiter>> waiting = new HashMap<>();
    private Thread listener;
    private boolean closed;
    private final LongAdder queries = new LongAdder();

    /** The waits' first checks and timed-out facts, on a few threads that end when idle. */
    private final ThreadPoolExecutor lookups;

    /**
     * Waits reading {@code dataSource}; the listener's connection comes from
     * {@code listenerSource}, which may be the same.
     */
    ProgressWaiter(DataSource dataSource, DataSource listenerSource, SchemaName schema) {
        this.dataSource = dataSource;
        this.listenerSource = listenerSource;
        this.schema = schema;
        this.lookups = new ThreadPoolExecutor(0, LOOKUP_THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
                new SynchronousQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "eventstore-progress-lookup");
                    thread.setDaemon(true);
                    return thread;
                });
        this.payloadPrefix = schema.value() + ":";
    }

    /**
     * Returns once {@code streamId} has reached {@code version} in the target: Kafka when
     * {@code group} is null, else that consumer group.
     */
    void await(String group, String streamId, long version, Duration timeout, long eventId)
            throws InterruptedException, AwaitTimeoutException {
        awaitUntil(group, streamId, version, timeout, System.nanoTime() + nanos(timeout), eventId);
    }

    /** {@link #await} ending at {@code deadline} (System.nanoTime); {@code timeout} is the one the caller gave, for messages. */
    private void awaitUntil(String group, String streamId, long version, Duration timeout, long deadline, long eventId)
            throws InterruptedException, AwaitTimeoutException {
        String target = group == null ? PUBLISHED : group;
        Waiter waiter = new Waiter(streamId, version);
        register(target, waiter);
        try {
            // The first check runs on a lookup thread: neither a pool with no free connection nor a
            // server that stopped answering holds the caller past its timeout.
            try {
                lookups.execute(() -> {
                    try {
                        if (!waiter.reached.isDone() && reached(target, streamId) >= version) {
                            waiter.reached.complete(null);
                        }
                    } catch (RuntimeException e) {
                        waiter.reached.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException busy) {
                if (lookups.isShutdown()) {
                    waiter.reached.completeExceptionally(new IllegalStateException("the event store was closed"));
                }
            }
            waiter.reached.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EventStoreException cause) {
                throw cause;
            }
            throw new EventStoreException("waiting for event " + eventId + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            AwaitTimeoutException late = timedOut(group, streamId, version, eventId, timeout);
            if (late != null) {
                throw late;
            }
        } finally {
            deregister(target, waiter);
        }
    }

    /**
     * {@link #await} for the event with id {@code eventId}: its stream and version are read first,
     * on a lookup thread within the same timeout (at least {@value #FACTS_MILLIS} ms for that read).
     *
     * @throws InvalidRequestException if no event has that id
     */
    void awaitEvent(String group, long eventId, Duration timeout) throws InterruptedException, AwaitTimeoutException {
        long deadline = System.nanoTime() + nanos(timeout);
        CompletableFuture<String[]> found = new CompletableFuture<>();
        try {
            lookups.execute(() -> {
                try {
                    found.complete(positionOf(eventId));
                } catch (RuntimeException e) {
                    found.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException busy) {
            found.completeExceptionally(new EventStoreException(lookups.isShutdown() ? "the event store is closed"
                    : LOOKUP_THREADS + " reads of positions are under way already"));
        }
        String[] event;
        try {
            long wait = Math.max(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(FACTS_MILLIS));
            event = found.get(wait, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EventStoreException cause) {
                throw cause;
            }
            throw new EventStoreException("waiting for event " + eventId + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new AwaitTimeoutException("event " + eventId + (group == null ? " is not known to be in Kafka"
                    : " is not known to be consumed by group " + group) + " after " + AwaitTimeoutException.describe(timeout)
                    + " (its stream cannot be read: no answer within the timeout)", group, null, 0, 0);
        }
        awaitUntil(group, event[0], Long.parseLong(event[1]), timeout, deadline, eventId);
    }

    /** The stream id and version of event {@code eventId}, on a connection of the pool. */
    private String[] positionOf(long eventId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(SqlResource.load("event_position", schema))) {
            connection.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS);
            queries.increment();
            query.setLong(1, eventId);
            try (ResultSet rs = query.executeQuery()) {
                if (!rs.next()) {
                    throw new InvalidRequestException("no event has id " + eventId);
                }
                return new String[] {rs.getString(1), Long.toString(rs.getLong(2))};
            }
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "find event " + eventId, null, null);
        }
    }

    /** The timeout in nanoseconds; one too long to count in nanoseconds (292 years) waits without end. */
    private static long nanos(Duration timeout) {
        try {
            return Math.min(timeout.toNanos(), Long.MAX_VALUE / 2);
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }

    /** Queries made for waits so far (the bench reports them per wait). */
    long queries() {
        return queries.sum();
    }

    private void register(String target, Waiter waiter) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the event store is closed");
            }
            waiting.computeIfAbsent(target, t -> new HashSet<>()).add(waiter);
            if (listener == null) {
                listener = new Thread(this::listen, "eventstore-progress-listener");
                listener.setDaemon(true);
                listener.start();
            }
        }
    }

    private void deregister(String target, Waiter waiter) {
        synchronized (lock) {
            Set<Waiter> set = waiting.get(target);
            if (set != null && set.remove(waiter) && set.isEmpty()) {
                waiting.remove(target);
            }
        }
    }

    /** The stream's version in the target (0: none), on a connection of the pool. */
    private long reached(String target, String streamId) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS);
            return versions(connection, target, Set.of(streamId)).getOrDefault(streamId, 0L);
        } catch (SQLException e) {
            throw StoreErrors.translate(e, "read the progress of stream " + streamId, streamId, null);
        }
    }

    private Map<String, Long> versions(Connection connection, String target, Set<String> streams) throws SQLException {
        queries.increment();
        boolean published = PUBLISHED.equals(target);
        Map<String, Long> versions = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement(
                SqlResource.load(published ? "published_versions" : "consumed_versions", schema))) {
            int i = 1;
            if (!published) {
                query.setString(i++, target);
            }
            query.setArray(i, connection.createArrayOf("text", streams.toArray()));
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    versions.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return versions;
    }

    /** The listener thread: LISTEN, answer the waiters after every notification, stop when idle or closed. */
    private void listen() {
        Connection connection = null;
        long idleSince = System.nanoTime();
        long checkedAll = System.nanoTime();
        boolean failing = false;
        try {
            while (true) {
                synchronized (lock) {
                    if (!waiting.isEmpty()) {
                        idleSince = System.nanoTime();
                    }
                    if (closed || System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(IDLE_SECONDS)) {
                        listener = null;
                        return;
                    }
                }
                try {
                    Set<String> targets;
                    if (connection == null) {
                        connection = listenerSource.getConnection();
                        connection.setAutoCommit(true);
                        connection.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS);
                        try (Statement statement = connection.createStatement()) {
                            statement.execute("LISTEN " + CHANNEL);
                        }
                        targets = null; // everything written before the LISTEN
                    } else {
                        targets = notified(connection.unwrap(PGConnection.class).getNotifications(FALLBACK_MILLIS));
                    }
                    if (System.nanoTime() - checkedAll >= TimeUnit.MILLISECONDS.toNanos(FALLBACK_MILLIS)) {
                        targets = null; // once a second whatever else is heard (another store's notifications)
                    }
                    if (targets == null) {
                        checkedAll = System.nanoTime();
                    }
                    answer(connection, targets);
                    if (failing) {
                        failing = false;
                        log.info("Waits for published and consumed events hear from PostgreSQL again");
                    }
                } catch (SQLException | RuntimeException e) {
                    if (!failing) {
                        failing = true;
                        log.warn("Waits for published and consumed events cannot listen on PostgreSQL (retried every second;"
                                + " the waits time out meanwhile): {}", e.getMessage());
                    }
                    unlistenAndClose(connection);
                    connection = null;
                    Thread.sleep(FALLBACK_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            // Closed.
        } finally {
            synchronized (lock) {
                if (listener == Thread.currentThread()) {
                    listener = null; // the next wait starts another, whatever ended this one
                }
            }
            unlistenAndClose(connection);
        }
    }

    /**
     * The targets named by {@code notifications} for this store's schema; every target when there
     * was none (the fallback check), {@code null} meaning all.
     */
    private Set<String> notified(PGNotification[] notifications) {
        if (notifications == null || notifications.length == 0) {
            return null;
        }
        Set<String> targets = new HashSet<>();
        for (PGNotification notification : notifications) {
            String payload = notification.getParameter();
            if (payload == null || !payload.startsWith(payloadPrefix)) {
                continue; // another store's schema
            }
            String rest = payload.substring(payloadPrefix.length());
            if (rest.equals("published")) {
                targets.add(PUBLISHED);
            } else if (rest.startsWith("consumed:")) {
                targets.add(rest.substring("consumed:".length()));
            }
        }
        return targets;
    }

    /** One query per target with waiters (of {@code targets}, or all when null); completes the waiters reached. */
    private void answer(Connection connection, Set<String> targets) throws SQLException {
        Map<String, List<Waiter>> snapshot = new HashMap<>();
        synchronized (lock) {
            waiting.forEach((target, waiters) -> {
                if (targets == null || targets.contains(target)) {
                    snapshot.put(target, new ArrayList<>(waiters));
                }
            });
        }
        for (Map.Entry<String, List<Waiter>> entry : snapshot.entrySet()) {
            Set<String> streams = new HashSet<>();
            entry.getValue().forEach(w -> streams.add(w.streamId));
            Map<String, Long> versions = versions(connection, entry.getKey(), streams);
            for (Waiter waiter : entry.getValue()) {
                if (versions.getOrDefault(waiter.streamId, 0L) >= waiter.version) {
                    waiter.reached.complete(null);
                }
            }
        }
    }

    /**
     * The exception of a wait that ran out of time, with the facts read within
     * {@value #FACTS_MILLIS} ms (else without them); {@code null} when the facts show the version
     * reached after all (a zero timeout is one check).
     */
    private AwaitTimeoutException timedOut(String group, String streamId, long version, long eventId, Duration timeout)
            throws InterruptedException {
        CompletableFuture<AwaitTimeoutException> facts = new CompletableFuture<>();
        try {
            lookups.execute(() -> {
                try {
                    facts.complete(readFacts(group, streamId, version, eventId, timeout));
                } catch (RuntimeException e) {
                    facts.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException busy) {
            facts.completeExceptionally(new IllegalStateException(lookups.isShutdown() ? "the event store is closed"
                    : LOOKUP_THREADS + " reads of positions are under way already"));
        }
        try {
            return facts.get(FACTS_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            String problem = e instanceof TimeoutException ? "no answer within " + FACTS_MILLIS + " ms" : e.getCause().getMessage();
            return new AwaitTimeoutException("event " + eventId + " (stream " + streamId + ", version " + version + ")"
                    + (group == null ? " is not known to be in Kafka" : " is not known to be consumed by group " + group)
                    + " after " + AwaitTimeoutException.describe(timeout) + " (its position cannot be read: " + problem + ")",
                    group, streamId, version, 0);
        }
    }

    private AwaitTimeoutException readFacts(String group, String streamId, long version, long eventId, Duration timeout) {
        String event = "event " + eventId + " (stream " + streamId + ", version " + version + ")";
        long published = 0;
        String publishedAt = null;
        long consumed = 0;
        String consumedAt = null;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(SqlResource.load("stream_progress", schema))) {
            connection.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS);
            queries.increment();
            query.setString(1, streamId);
            query.setString(2, group);
            query.setString(3, streamId);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                published = rs.getLong(1);
                if (!rs.wasNull()) {
                    publishedAt = "topic " + rs.getString(2) + ", partition " + rs.getInt(3) + ", offset " + rs.getLong(4);
                }
                consumed = rs.getLong(5);
                String topic = rs.getString(6);
                int partition = rs.getInt(7);
                boolean knownPartition = !rs.wasNull();
                long offset = rs.getLong(8);
                if (topic != null && knownPartition && !rs.wasNull()) {
                    consumedAt = "topic " + topic + ", partition " + partition + ", offset " + offset;
                }
            }
        } catch (SQLException e) {
            return new AwaitTimeoutException(event + (group == null ? " is not known to be in Kafka" : " is not known to be"
                    + " consumed by group " + group) + " after " + AwaitTimeoutException.describe(timeout)
                    + " (its position cannot be read: " + e.getMessage() + ")", group, streamId, version, 0);
        }
        if ((group == null ? published : consumed) >= version) {
            return null;
        }
        StringBuilder message = new StringBuilder(event);
        if (group == null) {
            message.append(" is not in Kafka after ").append(AwaitTimeoutException.describe(timeout)).append(": ");
            if (published == 0) {
                message.append("no event of the stream is known to be; is the bridge running (with Kafka Connect:"
                        + " the offset mirror service, eventstore mirror)?");
            } else {
                message.append("Kafka holds the stream to version ").append(published).append(" (").append(publishedAt).append(')');
            }
            return new AwaitTimeoutException(message.toString(), null, streamId, version, published);
        }
        message.append(" is not consumed by group ").append(group).append(" after ")
                .append(AwaitTimeoutException.describe(timeout)).append(": ");
        if (consumed == 0) {
            message.append("the group has no position in the stream");
        } else {
            message.append("the group has consumed it to version ").append(consumed);
            if (consumedAt != null) {
                message.append(" (").append(consumedAt).append(')');
            }
        }
        if (published >= version) {
            message.append(published == version ? "; the event is at " : "; the event is at or before ").append(publishedAt);
        } else {
            message.append("; the event is not in Kafka yet")
                    .append(published == 0 ? "" : " (Kafka holds the stream to version " + published + ")");
        }
        return new AwaitTimeoutException(message.toString(), group, streamId, version, consumed);
    }

    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            closed = true;
            running = listener;
            waiting.values().forEach(set -> set.forEach(w -> w.reached.completeExceptionally(
                    new IllegalStateException("the event store was closed"))));
            waiting.clear();
        }
        if (running != null) {
            running.interrupt();
        }
        lookups.shutdownNow();
    }

    /**
     * Stops listening before the connection goes back to a pool (a store over the caller's data
     * source): a pooled session left listening would queue every later notification.
     */
    private static void unlistenAndClose(Connection connection) {
        if (connection == null) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("UNLISTEN *");
        } catch (SQLException | RuntimeException broken) {
            // A broken connection listens no more; the pool discards it.
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is being discarded.
            }
        }
    }
}
