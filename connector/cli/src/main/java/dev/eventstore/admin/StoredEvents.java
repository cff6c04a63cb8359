package dev.eventstore.admin;

import dev.eventstore.RecordedEvent;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Reads stored events page by page (keyset pagination, so memory stays flat and the read can
 * run beside live appends), in event id order within one snapshot, or in version order for one
 * stream. The next pages
 * are read on a thread of their own while the caller handles the current one: a republish
 * otherwise waited for each page before sending it (BENCHMARKS.md, "Republish").
 */
final class StoredEvents {

    static final int PAGE = 5_000;
    /** The reader thread's name. */
    static final String READER_THREAD = "eventstore-stored-events-reader";
    /** Pages read ahead of the caller: enough to keep both sides busy, a few MiB of events. */
    private static final int PAGES_AHEAD = 2;

    private final DataSource dataSource;
    private final SchemaName schema;

    StoredEvents(DataSource dataSource, SchemaName schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /** A page read ahead, whether it is the last, or what ended the reader. */
    private record Page(List<RecordedEvent> events, boolean last, Throwable failure) {
    }

    /**
     * Calls {@code each} for every selected event, in order, on the caller's thread; returns how
     * many. When {@code each} throws, the reading stops and the exception comes out of here.
     */
    long forEach(EventSelection selection, Consumer<RecordedEvent> each) throws SQLException, InterruptedException {
        BlockingQueue<Page> pages = new ArrayBlockingQueue<>(PAGES_AHEAD);
        AtomicBoolean stopped = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try {
                readPages(selection, pages, stopped);
            } catch (Throwable e) { // whatever ends the reader must reach the caller, who waits for pages
                hand(pages, stopped, new Page(List.of(), true, e));
            }
        }, READER_THREAD);
        reader.setDaemon(true);
        reader.start();
        long count = 0;
        try {
            while (true) {
                Page page = pages.take();
                if (page.failure() instanceof SQLException e) {
                    throw e;
                } else if (page.failure() instanceof RuntimeException e) {
                    throw e;
                } else if (page.failure() instanceof Error e) {
                    throw e;
                }
                for (RecordedEvent event : page.events()) {
                    each.accept(event);
                    count++;
                }
                if (page.last()) {
                    return count;
                }
            }
        } finally {
            stopped.set(true);
            pages.clear(); // a reader waiting to hand over a page sees the stop at once
            reader.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** Hands {@code page} to the caller unless it stopped; returns whether it was handed. */
    private static boolean hand(BlockingQueue<Page> pages, AtomicBoolean stopped, Page page) {
        try {
            while (!stopped.get()) {
                if (pages.offer(page, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private void readPages(EventSelection selection, BlockingQueue<Page> pages, AtomicBoolean stopped) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            if (selection.streamId() != null) {
                // Each page in a transaction of its own that keeps it on the stream's index.
                connection.setAutoCommit(false);
                try (PreparedStatement followIndex = connection.prepareStatement(SqlResource.load("follow_stream_index", schema));
                     PreparedStatement page = connection.prepareStatement(SqlResource.load("select_stream_events_page", schema))) {
                    long after = 0;
                    while (true) {
                        followIndex.executeQuery().close();
                        page.setString(1, selection.streamId());
                        page.setLong(2, after);
                        page.setInt(3, PAGE);
                        List<RecordedEvent> events = read(page);
                        connection.commit();
                        if (!events.isEmpty()) {
                            after = events.get(events.size() - 1).streamVersion();
                        }
                        if (!hand(pages, stopped, new Page(events, events.size() < PAGE, null)) || events.size() < PAGE) {
                            return;
                        }
                    }
                } finally {
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
            }
            // Every page in one snapshot. Pages of snapshots of their own could miss an event whose
            // transaction committed after the read passed its id while a later event of its stream
            // (appended only after that commit) lands on a later page: a stream published with a
            // gap that the bridge then fills after newer versions. In one snapshot each stream's
            // events are a prefix of it, since appends to a stream wait for one another.
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try (PreparedStatement page = connection.prepareStatement(SqlResource.load("select_events_page", schema))) {
                long after = selection.fromEventId() == null ? 0 : selection.fromEventId() - 1;
                while (true) {
                    page.setLong(1, after);
                    if (selection.category() == null) {
                        page.setNull(2, Types.VARCHAR);
                        page.setNull(3, Types.VARCHAR);
                    } else {
                        page.setString(2, selection.category());
                        page.setString(3, selection.category());
                    }
                    page.setInt(4, PAGE);
                    List<RecordedEvent> events = read(page);
                    if (!events.isEmpty()) {
                        after = events.get(events.size() - 1).eventId();
                    }
                    if (!hand(pages, stopped, new Page(events, events.size() < PAGE, null)) || events.size() < PAGE) {
                        return;
                    }
                }
            } finally {
                connection.rollback();
            }
        }
    }

    private static List<RecordedEvent> read(PreparedStatement page) throws SQLException {
        List<RecordedEvent> events = new ArrayList<>(PAGE);
        try (ResultSet rs = page.executeQuery()) {
            while (rs.next()) {
                events.add(event(rs));
            }
        }
        return events;
    }

    /** How many events {@link #forEach} would visit (at the time of asking). */
    long count(EventSelection selection) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(SqlResource.load("count_selected_events", schema))) {
            count.setLong(1, selection.fromEventId() == null ? 0 : selection.fromEventId());
            count.setString(2, selection.streamId());
            count.setString(3, selection.streamId());
            count.setString(4, selection.category());
            count.setString(5, selection.category());
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static RecordedEvent event(ResultSet rs) throws SQLException {
        LocalDateTime createdAt = rs.getObject("created_at", LocalDateTime.class);
        return new RecordedEvent(rs.getLong("event_id"), rs.getString("stream_id"), rs.getLong("stream_version"),
                rs.getString("event_type"), rs.getInt("event_version"), rs.getString("data"), rs.getString("metadata"),
                createdAt.toInstant(ZoneOffset.UTC));
    }
}
