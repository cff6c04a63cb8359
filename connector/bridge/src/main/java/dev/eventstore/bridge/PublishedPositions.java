package dev.eventstore.bridge;

import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code published_streams}, how far each stream has reached Kafka, for
 * {@code EventStore.awaitPublished}: the publisher (or the offset mirror) notes each acknowledged
 * record, and one write, at most every {@code published.interval.ms}, moves the rows of every
 * stream noted since the last and notifies the listeners in the same statement.
 *
 * <p>The write is a hint for waiters, not a record the bridge relies on: it runs with
 * {@code synchronous_commit} off, and a write that fails is tried again a second later, with
 * whatever was acknowledged meanwhile (positions only move forward, so a later write covers an
 * earlier one). After a crash of the bridge, records are published again from its offsets and
 * their positions written again; a crash of PostgreSQL may lose the last positions written, which
 * then move again with the stream's next event.
 */
final class PublishedPositions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PublishedPositions.class);
    /** How soon a failed write is tried again. */
    private static final long RETRY_MILLIS = 1_000;

    /** The last acknowledged record of one stream. */
    record Position(String streamId, long eventId, long version, String topic, int partition, long offset) {
    }

    private final DataSource dataSource;
    private final SchemaName schema;
    private final long intervalMillis;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "eventstore-published-positions");
        thread.setDaemon(true);
        return thread;
    });
    /** Positions noted since the last write, per stream (guarded by this). */
    private Map<String, Position> noted = new HashMap<>();
    private boolean scheduled;
    private long lastWriteNanos;
    private boolean failing;

    PublishedPositions(DataSource dataSource, SchemaName schema, long intervalMillis) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.intervalMillis = intervalMillis;
    }

    /** Notes an acknowledged event record (its key is the stream id); records that are not events are ignored. */
    void acknowledged(byte[] key, Headers headers, String topic, int partition, long offset) {
        long version = number(headers.lastHeader(EventRecordHeaders.STREAM_VERSION));
        long eventId = number(headers.lastHeader(EventRecordHeaders.ID));
        if (key == null || version < 1 || eventId < 1) {
            return;
        }
        note(new Position(new String(key, StandardCharsets.UTF_8), eventId, version, topic, partition, offset));
    }

    /** Notes one position; schedules a write unless one is already due. */
    synchronized void note(Position position) {
        noted.merge(position.streamId(), position, (a, b) -> b.version() > a.version() ? b : a);
        if (!scheduled && !writer.isShutdown()) {
            scheduled = true;
            long wait = Math.max(0, lastWriteNanos + TimeUnit.MILLISECONDS.toNanos(intervalMillis) - System.nanoTime());
            try {
                writer.schedule(this::writeNoted, wait, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // Closed meanwhile: what was noted is published again after the restart.
            }
        }
    }

    private void writeNoted() {
        Map<String, Position> batch;
        synchronized (this) {
            batch = noted;
            noted = new HashMap<>();
            scheduled = false;
            lastWriteNanos = System.nanoTime();
        }
        if (batch.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            writeAlone(connection, batch);
            if (failing) {
                failing = false;
                log.info("Published positions are written again");
            }
        } catch (SQLException e) {
            if (!failing) {
                failing = true;
                log.warn("Cannot write published positions (awaitPublished waits until a write succeeds; retried every"
                        + " second): {}", PostgresErrors.describe(e));
            }
            synchronized (this) {
                batch.forEach((stream, position) -> noted.merge(stream, position,
                        (newer, older) -> newer.version() >= older.version() ? newer : older));
                // Retried even if no event follows: the last burst's positions must not wait for the next one.
                if (!scheduled && !writer.isShutdown()) {
                    scheduled = true;
                    try {
                        writer.schedule(this::writeNoted, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException closing) {
                        scheduled = false;
                    }
                }
            }
        }
    }

    /** One transaction of its own, without waiting for the WAL flush (the positions are a hint). */
    private void writeAlone(Connection connection, Map<String, Position> positions) throws SQLException {
        connection.setAutoCommit(false);
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCAL synchronous_commit = off");
            }
            write(connection, schema, positions);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /**
     * Moves the rows of {@code positions} forward and notifies listeners (at commit), in the
     * caller's transaction on {@code connection}.
     */
    static void write(Connection connection, SchemaName schema, Map<String, Position> positions) throws SQLException {
        int n = positions.size();
        String[] streams = new String[n];
        Long[] eventIds = new Long[n];
        Long[] versions = new Long[n];
        String[] topics = new String[n];
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        int i = 0;
        for (Position p : positions.values()) {
            streams[i] = p.streamId();
            eventIds[i] = p.eventId();
            versions[i] = p.version();
            topics[i] = p.topic();
            partitions[i] = p.partition();
            offsets[i] = p.offset();
            i++;
        }
        try (PreparedStatement upsert = connection.prepareStatement(SqlResource.load("record_published_positions", schema))) {
            upsert.setArray(1, connection.createArrayOf("text", streams));
            upsert.setArray(2, connection.createArrayOf("bigint", eventIds));
            upsert.setArray(3, connection.createArrayOf("bigint", versions));
            upsert.setArray(4, connection.createArrayOf("text", topics));
            upsert.setArray(5, connection.createArrayOf("integer", partitions));
            upsert.setArray(6, connection.createArrayOf("bigint", offsets));
            upsert.setString(7, schema.value() + ":published");
            upsert.execute();
        }
    }

    /** Writes what is noted and stops; waits at most a few seconds. */
    @Override
    public void close() {
        try {
            writer.execute(this::writeNoted);
        } catch (java.util.concurrent.RejectedExecutionException alreadyClosed) {
            return;
        }
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            writer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    static long number(Header header) {
        if (header == null || header.value() == null) {
            return -1;
        }
        try {
            return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
