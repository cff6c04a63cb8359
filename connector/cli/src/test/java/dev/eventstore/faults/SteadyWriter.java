package dev.eventstore.faults;

import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.EventStoreException;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.InvalidEventException;
import dev.eventstore.InvalidRequestException;
import dev.eventstore.StreamInfo;
import dev.eventstore.WrongExpectedVersionException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The steady appends a fault happens under: one thread appending batches of one to three events to
 * {@code streams} streams of one category, each with its exact expected version, at about
 * {@code eventsPerSecond}, until {@code maxEvents} are acknowledged, {@code maxTime} has passed or
 * {@link #close} is called, whichever comes first.
 *
 * <p>It survives the faults it runs under: an append that fails for want of a connection (the
 * server restarting, a backend terminated) is retried on a new connection after a pause. Such an
 * append is <em>in doubt</em>: it may have committed. The next append to that stream settles it (a
 * wrong-expected-version error tells the stream's actual version), so the writer always knows the
 * highest version PostgreSQL acknowledged per stream, which {@link #assertAcknowledgedPresent}
 * checks at the end.
 */
final class SteadyWriter implements AutoCloseable {

    private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

    private final EventStore store;
    private final DataSource dataSource;
    private final String category;
    private final long[] acknowledged;
    private final boolean[] inDoubt;
    private final Random random;
    private final int maxEvents;
    private final long deadline;
    private final double eventsPerSecond;
    private final Thread thread;
    private final AtomicLong acknowledgedEvents = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean stopped;
    private volatile Throwable crashed;
    private Connection connection;

    SteadyWriter(EventStore store, String category, int streams, long seed, int maxEvents, Duration maxTime,
                 double eventsPerSecond) {
        this.store = store;
        this.dataSource = store.dataSource();
        this.category = category;
        this.acknowledged = new long[streams];
        this.inDoubt = new boolean[streams];
        this.random = new Random(seed);
        this.maxEvents = maxEvents;
        this.deadline = System.nanoTime() + maxTime.toNanos();
        this.eventsPerSecond = eventsPerSecond;
        this.thread = new Thread(this::run, "steady-writer-" + category);
        this.thread.setDaemon(true);
    }

    SteadyWriter start() {
        thread.start();
        return this;
    }

    String streamId(int stream) {
        return category + "-" + stream;
    }

    private void run() {
        long started = System.nanoTime();
        try {
            while (!stopped && acknowledgedEvents.get() < maxEvents && System.nanoTime() < deadline) {
                int stream = random.nextInt(acknowledged.length);
                int count = 1 + random.nextInt(3);
                if (appendOnce(stream, count)) {
                    pace(started);
                } else {
                    pause(RETRY_PAUSE);
                }
            }
        } catch (Throwable t) {
            crashed = t;
        } finally {
            closeConnection();
        }
    }

    /** One append; false when it failed for want of a connection (the caller pauses). */
    private boolean appendOnce(int stream, int count) {
        String streamId = streamId(stream);
        List<EventData> events = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            events.add(EventData.of("Tick", "{\"stream\":\"" + streamId + "\",\"v\":" + (acknowledged[stream] + i) + "}"));
        }
        try {
            if (connection == null) {
                connection = dataSource.getConnection();
            }
            store.append(connection, streamId, ExpectedVersion.exactly(acknowledged[stream]), events);
            acknowledged[stream] += count;
            inDoubt[stream] = false;
            acknowledgedEvents.addAndGet(count);
            return true;
        } catch (WrongExpectedVersionException e) {
            if (!inDoubt[stream]) {
                throw new AssertionError("the only writer of " + streamId + " got " + e.getMessage(), e);
            }
            // The append in doubt had committed after all: PostgreSQL acknowledged it.
            acknowledgedEvents.addAndGet(e.actualVersion() - acknowledged[stream]);
            acknowledged[stream] = e.actualVersion();
            inDoubt[stream] = false;
            return true;
        } catch (SQLException | RuntimeException e) {
            if (e instanceof RuntimeException && (!(e instanceof EventStoreException)
                    || e instanceof InvalidRequestException || e instanceof InvalidEventException)) {
                throw (RuntimeException) e; // a bug of this test, not a fault
            }
            failures.incrementAndGet();
            inDoubt[stream] = true;
            closeConnection();
            return false;
        }
    }

    private void pace(long started) {
        long due = started + (long) (acknowledgedEvents.get() / eventsPerSecond * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            pause(Duration.ofNanos(Math.min(wait, Duration.ofSeconds(1).toNanos())));
        }
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(Math.max(1, duration.toMillis())); // pacing of the writer, not a wait for a condition
        } catch (InterruptedException e) {
            stopped = true;
            Thread.currentThread().interrupt();
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is gone already.
            }
            connection = null;
        }
    }

    /** Events PostgreSQL has acknowledged so far (in-doubt appends once settled). */
    long acknowledgedEvents() {
        return acknowledgedEvents.get();
    }

    /** Appends that failed for want of a connection (each retried). */
    long failures() {
        return failures.get();
    }

    boolean isRunning() {
        return thread.isAlive();
    }

    /** Stops and waits for the thread; fails the test if the writer itself broke. */
    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(Duration.ofSeconds(60).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new AssertionError("the writer did not stop within 60 s");
        }
        if (crashed != null) {
            throw new AssertionError("the writer failed: " + crashed, crashed);
        }
    }

    /**
     * Every append PostgreSQL acknowledged is stored: each stream holds at least its acknowledged
     * version. Call after {@link #close}; settles appends still in doubt by reading the stream.
     *
     * @return the events stored in this writer's streams
     */
    long assertAcknowledgedPresent() {
        long stored = 0;
        for (int stream = 0; stream < acknowledged.length; stream++) {
            Optional<StreamInfo> info = store.streamInfo(streamId(stream));
            long version = info.map(StreamInfo::version).orElse(0L);
            if (version < acknowledged[stream]) {
                throw new AssertionError(streamId(stream) + " holds " + version + " events but PostgreSQL acknowledged "
                        + acknowledged[stream]);
            }
            if (!inDoubt[stream] && version != acknowledged[stream]) {
                throw new AssertionError(streamId(stream) + " holds " + version + " events; the writer wrote "
                        + acknowledged[stream]);
            }
            stored += version;
        }
        return stored;
    }
}
