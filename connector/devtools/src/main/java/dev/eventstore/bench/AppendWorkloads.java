package dev.eventstore.bench;

import dev.eventstore.AppendResult;
import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.WrongExpectedVersionException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Appends, side by side on empty tables of the same server: 100-event batches with 1 and 8
 * writers; single events with 1, 8 and 16 writers; 8 writers contending for 10 hot streams.
 * Each writer appends to streams of its own (256 of them, in turn) with the exact expected
 * version, as a game server does; beside ours run the raw INSERT ceiling into the copy schema and
 * message-db's {@code write_message}.
 */
final class AppendWorkloads {

    static final String BATCH = "append.batch.w";
    static final String SINGLE = "append.single.w";
    static final String CONTENTION = "append.contention";

    /** Streams each writer appends to in turn: enough to spread message-db over 256 categories. */
    static final int STREAMS_PER_WRITER = 256;
    private static final int MAX_ATTEMPTS = 10_000;

    private final BenchContext context;
    private int caseNumber;

    AppendWorkloads(BenchContext context) {
        this.context = context;
    }

    static int caseCount(BenchSettings settings, boolean peers) {
        int perBatch = peers ? 4 : 3;
        int perSingle = peers ? 6 : 4;
        return settings.batchWriters().size() * perBatch + settings.singleWriters().size() * perSingle + (peers ? 2 : 1);
    }

    List<ResultRow> run() {
        List<ResultRow> rows = new ArrayList<>();
        int size = context.settings.batchSize();
        for (int writers : context.settings.batchWriters()) {
            String id = BATCH + writers;
            String workload = String.format(Locale.ROOT, "append %d-event batches, %d %s", size, writers, writersWord(writers));
            rows.add(ours(subject(id, workload, "eventstore", "eventstore append", ResultRow.Role.OURS), writers, size));
            rows.add(ours(subject(id, workload, "eventstore-idempotent", "eventstore append, events with event_uuid",
                    ResultRow.Role.REFERENCE), writers, size, true));
            rows.add(raw(subject(id, workload, "raw", "raw batched INSERT (ceiling)", ResultRow.Role.CEILING), writers, size));
            rows.add(messageDb(subject(id, workload, "message-db",
                    "message-db write_message x" + size + ", 1 transaction", ResultRow.Role.PEER), writers, size, 1));
        }
        for (int writers : context.settings.singleWriters()) {
            String id = SINGLE + writers;
            String workload = String.format(Locale.ROOT, "append single events, %d %s", writers, writersWord(writers));
            rows.add(ours(subject(id, workload, "eventstore", "eventstore append", ResultRow.Role.OURS), writers, 1));
            rows.add(ours(subject(id, workload, "eventstore-idempotent", "eventstore append, event with event_uuid",
                    ResultRow.Role.REFERENCE), writers, 1, true));
            rows.add(raw(subject(id, workload, "raw", "raw single-row INSERT (ceiling)", ResultRow.Role.CEILING), writers, 1));
            rows.add(rawAdvance(subject(id, workload, "raw-advance",
                    "raw stream-row UPDATE + INSERT, 1 statement", ResultRow.Role.REFERENCE), writers));
            rows.add(messageDb(subject(id, workload, "message-db", "message-db write_message, 1 category",
                    ResultRow.Role.PEER), writers, 1, 1));
            rows.add(messageDb(subject(id, workload, "message-db-256", "message-db write_message, 256 categories",
                    ResultRow.Role.PEER), writers, 1, 256));
        }
        int writers = context.settings.contentionWriters();
        int hot = context.settings.hotStreams();
        String workload = String.format(Locale.ROOT, "contention: %d writers on %d hot streams", writers, hot);
        rows.add(oursContention(subject(CONTENTION, workload, "eventstore", "eventstore append, retry on conflict",
                ResultRow.Role.OURS), writers, hot));
        rows.add(messageDbContention(subject(CONTENTION, workload, "message-db", "message-db write_message, retry on conflict",
                ResultRow.Role.PEER), writers, hot));
        return rows;
    }

    static String writersWord(int writers) {
        return writers == 1 ? "writer" : "writers";
    }

    private static BenchContext.Subject subject(String id, String workload, String subjectId, String subject,
                                                ResultRow.Role role) {
        return new BenchContext.Subject(id, workload, subjectId, subject, role, ResultRow.Basis.THROUGHPUT);
    }

    /** Stream ids of writer {@code w} in case {@code c}: category {@code game}, or one of 256. */
    static String[] streams(int caseNumber, int writer, int categories) {
        String[] ids = new String[STREAMS_PER_WRITER];
        for (int j = 0; j < ids.length; j++) {
            String category = categories == 1 ? "game" : "game" + (j % categories);
            ids[j] = category + "-c" + caseNumber + "w" + writer + "s" + j;
        }
        return ids;
    }

    private ResultRow ours(BenchContext.Subject subject, int writers, int size) {
        return ours(subject, writers, size, false);
    }

    /**
     * Our appends; with {@code idempotent}, every event carries an event_uuid (the cost of a retry-safe
     * append: one look-up statement more per append).
     */
    private ResultRow ours(BenchContext.Subject subject, int writers, int size, boolean idempotent) {
        int c = ++caseNumber;
        return context.measure(subject, writers, context::resetAll, w -> {
            String[] streams = streams(c, w, 1);
            long[] versions = new long[streams.length];
            long[] cursor = {w * 1009L};
            int[] next = {0};
            return () -> {
                int j = next[0]++ % streams.length;
                List<EventData> batch = context.events.batch(cursor[0], size);
                if (idempotent) {
                    List<EventData> withIds = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        withIds.add(batch.get(i).withEventUuid(new java.util.UUID(c * 1_000_003L + w, cursor[0] + i)));
                    }
                    batch = withIds;
                }
                cursor[0] += size;
                ExpectedVersion expected = versions[j] == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(versions[j]);
                AppendResult result = context.store.append(streams[j], expected, batch);
                versions[j] = result.lastVersion();
                return size;
            };
        }, null);
    }

    /** How a raw writer writes one append's events into the copy: stream, the stream's version before, events. */
    @FunctionalInterface
    private interface RawWrite {
        void write(String streamId, long versionBefore, List<EventData> events) throws Exception;
    }

    /** The ceiling: the events inserted straight into the copy, versions from the writer. */
    private ResultRow raw(BenchContext.Subject subject, int writers, int size) {
        return raw(subject, writers, size, (stream, before, events) -> {
            if (size == 1) {
                context.raw.insert(stream, before + 1, events.get(0));
            } else {
                context.raw.insertBatch(stream, before + 1, events);
            }
        }, "stream rows created before; versions from the writer");
    }

    /**
     * What a single-event append must write, as plain SQL in one statement: the stream's row
     * advanced with an optimistic check, and the event. The gap between it and the bare INSERT is
     * the stream row; the gap between it and our append is the library and its function.
     */
    private ResultRow rawAdvance(BenchContext.Subject subject, int writers) {
        return raw(subject, writers, 1, (stream, before, events) -> context.raw.advanceAndInsert(stream, before, events.get(0)),
                "stream rows created before; the row's version checked and advanced, updated_at set");
    }

    private ResultRow raw(BenchContext.Subject subject, int writers, int size, RawWrite write, String note) {
        int c = ++caseNumber;
        return context.measure(subject, writers, context::resetAll, w -> {
            String[] streams = streams(c, w, 1);
            context.raw.createStreams(List.of(streams));
            long[] versions = new long[streams.length];
            long[] cursor = {w * 1009L};
            int[] next = {0};
            return () -> {
                int j = next[0]++ % streams.length;
                List<EventData> batch = context.events.batch(cursor[0], size);
                cursor[0] += size;
                write.write(streams[j], versions[j], batch);
                versions[j] += size;
                return size;
            };
        }, o -> note);
    }

    private ResultRow messageDb(BenchContext.Subject subject, int writers, int size, int categories) {
        if (!context.messageDb.available()) {
            return subject.notRun(context.messageDb.unavailableReason());
        }
        int c = ++caseNumber;
        return context.measure(subject, writers, context::resetAll, w -> {
            String[] streams = streams(c, w, categories);
            long[] versions = new long[streams.length];
            long[] cursor = {w * 1009L};
            int[] next = {0};
            return () -> {
                int j = next[0]++ % streams.length;
                List<EventData> batch = context.events.batch(cursor[0], size);
                cursor[0] += size;
                try (Connection connection = context.messageDb.connection()) {
                    versions[j] = size == 1
                            ? MessageDb.write(connection, streams[j], versions[j], batch.get(0))
                            : MessageDb.writeBatch(connection, streams[j], versions[j], batch);
                }
                return size;
            };
        }, null);
    }

    /** Counts of a contention case, across its writers (warm-up included: a ratio is reported). */
    private static final class Conflicts {
        final AtomicLong appends = new AtomicLong();
        final AtomicLong conflicts = new AtomicLong();

        String note(LoadRunner.Outcome outcome) {
            long a = appends.get();
            long c = conflicts.get();
            double perAppend = a == 0 ? 0 : (double) c / a;
            return String.format(Locale.ROOT, "%,.0f conflicts/s (= retries/s), %.2f attempts per append",
                    perAppend * outcome.eventsPerSecond(), 1 + perAppend);
        }
    }

    private ResultRow oursContention(BenchContext.Subject subject, int writers, int hot) {
        int c = ++caseNumber;
        String[] streams = hotStreams(c, hot);
        Conflicts counts = new Conflicts();
        return context.measure(subject, writers, () -> {
            context.resetAll();
            for (String stream : streams) {
                context.store.append(stream, ExpectedVersion.NO_STREAM, context.events.batch(0, 1));
            }
        }, w -> {
            Random random = new Random(31L * c + w);
            long[] cached = new long[hot];
            java.util.Arrays.fill(cached, 1);
            long[] cursor = {w * 1009L};
            return () -> {
                int i = random.nextInt(hot);
                List<EventData> event = context.events.batch(cursor[0]++, 1);
                for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                    try {
                        cached[i] = context.store.append(streams[i], ExpectedVersion.exactly(cached[i]), event).lastVersion();
                        counts.appends.incrementAndGet();
                        return 1;
                    } catch (WrongExpectedVersionException conflict) {
                        counts.conflicts.incrementAndGet();
                        cached[i] = conflict.actualVersion();
                    }
                }
                throw new IllegalStateException("no append succeeded after " + MAX_ATTEMPTS + " attempts");
            };
        }, counts::note);
    }

    private ResultRow messageDbContention(BenchContext.Subject subject, int writers, int hot) {
        if (!context.messageDb.available()) {
            return subject.notRun(context.messageDb.unavailableReason());
        }
        int c = ++caseNumber;
        String[] streams = hotStreams(c, hot);
        Conflicts counts = new Conflicts();
        return context.measure(subject, writers, () -> {
            context.resetAll();
            try (Connection connection = context.messageDb.connection()) {
                for (String stream : streams) {
                    MessageDb.write(connection, stream, 0L, context.events.get(0));
                }
            }
        }, w -> {
            Random random = new Random(31L * c + w);
            long[] cached = new long[hot];
            java.util.Arrays.fill(cached, 1);
            long[] cursor = {w * 1009L};
            return () -> {
                int i = random.nextInt(hot);
                EventData event = context.events.get(cursor[0]++);
                try (Connection connection = context.messageDb.connection()) {
                    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                        try {
                            cached[i] = MessageDb.write(connection, streams[i], cached[i], event);
                            counts.appends.incrementAndGet();
                            return 1;
                        } catch (SQLException e) {
                            long actual = MessageDb.conflictVersion(e);
                            if (actual < 0) {
                                throw e;
                            }
                            counts.conflicts.incrementAndGet();
                            cached[i] = actual;
                        }
                    }
                }
                throw new IllegalStateException("no write succeeded after " + MAX_ATTEMPTS + " attempts");
            };
        }, counts::note);
    }

    /** The hot streams of a contention case: one category, as message-db's users would name them. */
    static String[] hotStreams(int caseNumber, int hot) {
        String[] ids = new String[hot];
        for (int i = 0; i < hot; i++) {
            ids[i] = "hot-c" + caseNumber + "s" + i;
        }
        return ids;
    }
}
