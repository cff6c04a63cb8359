package dev.eventstore.bench;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.serializer.EventSerializer;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads into typed events (the game's registered serializer), one reader, side by side on the
 * same rows: a whole 1,000-event stream per call, and a catch-up of a 100,000-event stream page
 * by page. Beside ours: the same SELECT on the raw copy (the ceiling) and message-db's
 * {@code get_stream_messages}, through the same pool and the same deserialisation.
 */
final class ReadWorkloads {

    static final String STREAM = "read.stream";
    static final String CATCH_UP = "read.catchup";

    private static final String READ_STREAM = "read-1";
    private static final String CATCH_UP_STREAM = "catchup-1";

    private final BenchContext context;
    /** Keeps the deserialised events observable, so that no work is optimised away. */
    private volatile long sink;

    ReadWorkloads(BenchContext context) {
        this.context = context;
    }

    static int caseCount(boolean peers) {
        return peers ? 8 : 6;
    }

    List<ResultRow> run() {
        List<ResultRow> rows = new ArrayList<>();
        int streamEvents = context.settings.streamEvents();
        int catchUp = context.settings.catchUpEvents();
        int page = context.settings.pageSize();
        String streamWorkload = String.format(Locale.ROOT, "read a %,d-event stream into typed events", streamEvents);
        String catchUpWorkload = String.format(Locale.ROOT, "catch-up of %,d events in pages of %,d", catchUp, page);
        try {
            fill(streamEvents, catchUp);
        } catch (Exception e) {
            String reason = "set-up failed: " + LoadRunner.describe(e);
            for (String[] s : List.of(new String[] {STREAM, streamWorkload}, new String[] {CATCH_UP, catchUpWorkload})) {
                rows.add(ResultRow.failed(s[0], s[1], "eventstore", "eventstore", ResultRow.Role.OURS,
                        ResultRow.Basis.THROUGHPUT, reason));
            }
            return rows;
        }
        EventSerializer serializer = context.events.serializer();

        rows.add(context.measure(subject(STREAM, streamWorkload, "eventstore", "eventstore readStreamForward",
                ResultRow.Role.OURS), 1, null, w -> () -> consume(serializer,
                context.store.readStreamForward(READ_STREAM, 1, streamEvents), streamEvents), perCall("read")));
        rows.add(context.measure(subject(STREAM, streamWorkload, "eventstore-untyped",
                "eventstore readStreamForward, not deserialised", ResultRow.Role.REFERENCE), 1, null, w -> () -> {
                    List<RecordedEvent> read = context.store.readStreamForward(READ_STREAM, 1, streamEvents);
                    long hash = 0;
                    for (RecordedEvent event : read) {
                        hash += event.data().length();
                    }
                    sink += hash;
                    return check(read.size(), streamEvents);
                }, o -> "what the database and JDBC cost without the typed events"));
        rows.add(context.measure(subject(STREAM, streamWorkload, "raw", "raw SELECT on the copy (ceiling)",
                ResultRow.Role.CEILING), 1, null, w -> () -> consume(serializer,
                context.raw.read(READ_STREAM, 1, streamEvents), streamEvents), perCall("read")));
        rows.add(messageDbRead(subject(STREAM, streamWorkload, "message-db", "message-db get_stream_messages",
                ResultRow.Role.PEER), serializer, READ_STREAM, streamEvents, streamEvents));

        rows.add(context.measure(subject(CATCH_UP, catchUpWorkload, "eventstore", "eventstore readStreamForward pages",
                ResultRow.Role.OURS), 1, null, w -> {
                    long[] from = {1};
                    return () -> {
                        List<RecordedEvent> events = context.store.readStreamForward(CATCH_UP_STREAM, from[0], page);
                        from[0] = next(from[0], events.size(), page, catchUp);
                        return consume(serializer, events, -1);
                    };
                }, perCall("page")));
        rows.add(context.measure(subject(CATCH_UP, catchUpWorkload, "eventstore-cursor",
                "eventstore streamEvents (cursor, whole stream per call)", ResultRow.Role.REFERENCE), 1, null,
                w -> () -> {
                    try (Stream<RecordedEvent> events = context.store.streamEvents(CATCH_UP_STREAM)) {
                        long[] n = {0};
                        events.forEach(e -> {
                            sink += serializer.deserialize(e).hashCode();
                            n[0]++;
                        });
                        return check((int) n[0], catchUp);
                    }
                }, perCall("whole stream")));
        rows.add(context.measure(subject(CATCH_UP, catchUpWorkload, "raw", "raw SELECT pages on the copy (ceiling)",
                ResultRow.Role.CEILING), 1, null, w -> {
                    long[] from = {1};
                    return () -> {
                        List<RecordedEvent> events = context.raw.read(CATCH_UP_STREAM, from[0], page);
                        from[0] = next(from[0], events.size(), page, catchUp);
                        return consume(serializer, events, -1);
                    };
                }, perCall("page")));
        rows.add(messageDbRead(subject(CATCH_UP, catchUpWorkload, "message-db", "message-db get_stream_messages pages",
                ResultRow.Role.PEER), serializer, CATCH_UP_STREAM, page, catchUp));
        return rows;
    }

    private static BenchContext.Subject subject(String id, String workload, String subjectId, String subject,
                                                ResultRow.Role role) {
        return new BenchContext.Subject(id, workload, subjectId, subject, role, ResultRow.Basis.THROUGHPUT);
    }

    private static java.util.function.Function<LoadRunner.Outcome, String> perCall(String what) {
        return o -> "latency per " + what;
    }

    /** The next page's start: on, or back to the stream's start after its last page. */
    static long next(long from, int read, int page, int total) {
        long next = from + read;
        return read < page || next > total ? 1 : next;
    }

    private int consume(EventSerializer serializer, List<RecordedEvent> events, int expected) {
        long hash = 0;
        for (RecordedEvent event : events) {
            hash += serializer.deserialize(event).hashCode();
        }
        sink += hash;
        return expected < 0 ? events.size() : check(events.size(), expected);
    }

    private static int check(int read, int expected) {
        if (read != expected) {
            throw new IllegalStateException("read " + read + " events where " + expected + " are stored");
        }
        return read;
    }

    private ResultRow messageDbRead(BenchContext.Subject subject, EventSerializer serializer, String stream, int batch,
                                    int total) {
        if (!context.messageDb.available()) {
            return subject.notRun(context.messageDb.unavailableReason());
        }
        boolean whole = batch == total;
        return context.measure(subject, 1, null, w -> {
            long[] from = {1};
            return () -> {
                List<MessageDb.Message> messages;
                try (Connection connection = context.messageDb.connection()) {
                    messages = MessageDb.read(connection, stream, from[0], batch);
                }
                long hash = 0;
                for (MessageDb.Message message : messages) {
                    int version = serializer.registry().byName(message.type()).orElseThrow().version();
                    hash += serializer.deserialize(message.type(), version, message.data()).hashCode();
                }
                sink += hash;
                if (whole) {
                    return check(messages.size(), total);
                }
                from[0] = next(from[0], messages.size(), batch, total);
                return messages.size();
            };
        }, perCall(whole ? "read" : "page"));
    }

    /**
     * The two streams, appended through the library (ours), copied row for row into the raw copy,
     * and written with the same events into message-db.
     */
    private void fill(int streamEvents, int catchUpEvents) throws Exception {
        context.progress.phase(String.format(Locale.ROOT, "filling the read streams (%,d and %,d events)",
                streamEvents, catchUpEvents));
        context.resetAll();
        appendAll(READ_STREAM, streamEvents, 100);
        appendAll(CATCH_UP_STREAM, catchUpEvents, 1000);
        context.raw.copyStream(READ_STREAM);
        context.raw.copyStream(CATCH_UP_STREAM);
        if (context.messageDb.available()) {
            fillMessageDb(READ_STREAM, streamEvents);
            fillMessageDb(CATCH_UP_STREAM, catchUpEvents);
        }
    }

    private void appendAll(String stream, int total, int batch) {
        long version = 0;
        while (version < total) {
            int n = (int) Math.min(batch, total - version);
            List<EventData> events = context.events.batch(version, n);
            version = context.store.append(stream, version == 0 ? ExpectedVersion.NO_STREAM
                    : ExpectedVersion.exactly(version), events).lastVersion();
        }
    }

    private void fillMessageDb(String stream, int total) throws Exception {
        for (long version = 0; version < total; version += 10_000) {
            int n = (int) Math.min(10_000, total - version);
            context.messageDb.fill(stream, version + 1, context.events.batch(version, n));
        }
    }
}
