package dev.eventstore;

import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Appends whose events carry client-chosen ids ({@value EventMetadata#EVENT_UUID}): a retry of an
 * append whose acknowledgement was lost returns the first append's result and writes nothing.
 *
 * <p>Before writing, one query ({@code find_events_by_uuid.sql}) looks the batch up in the stream:
 * a batch is stored whole or not at all, so the first event's id (an index look-up) says where it
 * would start, and the rest is read by version. None stored: the batch is appended with the stream's version as it was at that lookup as
 * the expected version (for {@link ExpectedVersion#ANY} and {@link ExpectedVersion#STREAM_EXISTS};
 * an exact expected version or {@link ExpectedVersion#NO_STREAM} stays as the caller gave it). So
 * an append that commits between the lookup and the write, the lost original among them, makes the
 * write fail on the stream's version instead of writing twice: the lookup then runs again and
 * finds it. All stored, in one run, with the same content: that is the result. Otherwise the batch
 * is refused ({@link DuplicateEventUuidException}).
 *
 * <p>Cost: one more statement per append (BENCHMARKS.md, append rows). A batch whose first id is
 * new is appended without looking at its other ids: an id reused in a later position of another
 * batch is not detected.
 * With {@code ANY} or {@code STREAM_EXISTS}, an append whose stream other writers move on between
 * its look-up and its write {@value #MAX_ATTEMPTS} times in a row gives up with
 * {@link WrongExpectedVersionException}; plain appends with {@code ANY} never conflict.
 */
final class IdempotentAppends {

    /** Versions read for ANY or STREAM_EXISTS may be overtaken by other writers; each overtake costs one attempt. */
    static final int MAX_ATTEMPTS = 10;

    /** The plain append, with the expected version to use. */
    interface Append {
        AppendResult append(Connection connection, ExpectedVersion expected) throws SQLException;
    }

    private final String findSql;

    IdempotentAppends(SchemaName schema) {
        this.findSql = SqlResource.load("find_events_by_uuid", schema);
    }

    AppendResult append(Connection connection, String streamId, ExpectedVersion expected, List<EventData> events,
                        List<String> uuids, Append plain) throws SQLException {
        boolean versionFromLookup = expected == ExpectedVersion.ANY || expected == ExpectedVersion.STREAM_EXISTS;
        for (int attempt = 1; ; attempt++) {
            Stored stored = find(connection, streamId, events, uuids);
            if (stored.any()) {
                return stored.settle(streamId, uuids);
            }
            ExpectedVersion effective = expected;
            if (versionFromLookup && stored.streamVersion != null) {
                effective = ExpectedVersion.exactly(stored.streamVersion);
            } else if (expected == ExpectedVersion.ANY) {
                effective = ExpectedVersion.NO_STREAM;
            }
            // Inside the caller's transaction a failed statement aborts it: a savepoint keeps it usable.
            Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
            try {
                AppendResult result = plain.append(connection, effective);
                if (savepoint != null) {
                    connection.releaseSavepoint(savepoint);
                }
                return result;
            } catch (SQLException e) {
                if (!StoreErrors.WRONG_EXPECTED_VERSION.equals(e.getSQLState())) {
                    throw e;
                }
                if (savepoint != null) {
                    connection.rollback(savepoint);
                }
                if (!versionFromLookup) {
                    Stored again = find(connection, streamId, events, uuids);
                    if (again.any()) {
                        return again.settle(streamId, uuids);
                    }
                    throw e;
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new WrongExpectedVersionException(streamId, expected, "other writers appended to the stream"
                            + " during each of " + MAX_ATTEMPTS + " attempts of this idempotent append");
                }
            }
        }
    }

    private Stored find(Connection connection, String streamId, List<EventData> events, List<String> uuids)
            throws SQLException {
        int n = events.size();
        String[] types = new String[n];
        Integer[] versions = new Integer[n];
        String[] data = new String[n];
        String[] metadata = new String[n];
        for (int i = 0; i < n; i++) {
            EventData event = events.get(i);
            types[i] = event.eventType();
            versions[i] = event.eventVersion();
            data[i] = event.data();
            metadata[i] = event.metadata();
        }
        List<Array> arrays = List.of(connection.createArrayOf("text", uuids.toArray(String[]::new)),
                connection.createArrayOf("text", types), connection.createArrayOf("int4", versions),
                connection.createArrayOf("jsonb", data), connection.createArrayOf("jsonb", metadata));
        try (PreparedStatement statement = connection.prepareStatement(findSql)) {
            statement.setString(1, streamId);
            statement.setString(2, uuids.get(0));
            for (int i = 0; i < arrays.size(); i++) {
                statement.setArray(i + 3, arrays.get(i));
            }
            statement.setString(8, streamId);
            Stored stored = new Stored(n);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    stored.streamVersion = rs.getLong("stream_version");
                    int index = rs.getInt("position") - 1;
                    long eventId = rs.getLong("event_id");
                    if (!rs.wasNull() && stored.eventIds[index] == null) {
                        stored.eventIds[index] = eventId;
                        stored.versions[index] = rs.getLong("event_stream_version");
                        stored.sameContent[index] = rs.getBoolean("same_content");
                    }
                }
            }
            return stored;
        } finally {
            for (Array array : arrays) {
                array.free();
            }
        }
    }

    /** What the stream holds of a batch: per event, the stored event carrying its id, if any. */
    private static final class Stored {
        final Long[] eventIds;
        final long[] versions;
        final boolean[] sameContent;
        Long streamVersion;

        Stored(int n) {
            eventIds = new Long[n];
            versions = new long[n];
            sameContent = new boolean[n];
        }

        boolean any() {
            for (Long id : eventIds) {
                if (id != null) {
                    return true;
                }
            }
            return false;
        }

        /** The first append's result when the whole batch is stored as it was sent, in one run; else refuses. */
        AppendResult settle(String streamId, List<String> uuids) {
            int stored = -1;
            for (int i = 0; i < eventIds.length; i++) {
                if (eventIds[i] != null) {
                    stored = i;
                    break;
                }
            }
            UUID storedUuid = UUID.fromString(uuids.get(stored));
            for (int i = 0; i < eventIds.length; i++) {
                UUID uuid = UUID.fromString(uuids.get(i));
                if (eventIds[i] == null) {
                    throw new DuplicateEventUuidException(streamId, storedUuid, "event " + stored + " of the batch ("
                            + EventMetadata.EVENT_UUID + " " + storedUuid + ") is already in stream " + Text.quote(streamId)
                            + " at version " + versions[stored] + ", but event " + i + " (" + uuid + ") is not: this"
                            + " batch is not a retry of the append that wrote it; nothing was written");
                }
                if (!sameContent[i]) {
                    throw new DuplicateEventUuidException(streamId, uuid, "event " + i + " of the batch ("
                            + EventMetadata.EVENT_UUID + " " + uuid + ") is already in stream " + Text.quote(streamId)
                            + " at version " + versions[i] + " with another type, version, data or metadata: a retry"
                            + " must send the same events; nothing was written");
                }
                if (versions[i] != versions[0] + i) {
                    throw new DuplicateEventUuidException(streamId, uuid, "the batch's " + EventMetadata.EVENT_UUID
                            + "s are in stream " + Text.quote(streamId) + " but not as one append (event " + i
                            + " is at version " + versions[i] + ", event 0 at " + versions[0] + "): this batch is not a"
                            + " retry of one append; nothing was written");
                }
            }
            List<Long> ids = new ArrayList<>(List.of(eventIds));
            return new AppendResult(streamId, versions[0], versions[eventIds.length - 1], ids);
        }
    }
}
