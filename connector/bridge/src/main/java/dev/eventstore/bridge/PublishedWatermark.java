package dev.eventstore.bridge;

import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Proves, while the bridge runs, a low watermark of event ids Kafka has acknowledged, and keeps
 * it in {@code cdc_checkpoints} with the server's identity. Called from the bridge's monitor
 * loop, every few seconds.
 *
 * <p>Event ids are taken from a sequence at insert, not at commit, so the highest id published
 * says nothing about smaller ids still uncommitted. Instead, each {@link #tick}:
 * <ol>
 *   <li>notes a candidate: {@code max(event_id)} M with the snapshot that saw it, counting only ids
 *       the sequence has handed out (a row with a larger id was not written by the store's
 *       functions, which take every id from the sequence, so it never moves the watermark). Every event with
 *       a smaller id that the snapshot does not see belongs to a transaction running then (its
 *       transaction id is below the snapshot's xmax: append_to_stream takes its transaction id,
 *       updating the stream's row, before it takes event ids);</li>
 *   <li>completes earlier candidates: once the oldest running transaction is at or past a
 *       candidate's xmax, all of its transactions have ended, and their commit records lie before
 *       the WAL insert position read then, which becomes the candidate's position P;</li>
 *   <li>raises the watermark to M + 1 for every completed candidate whose P the slot has
 *       confirmed: the bridge confirms to its slot only what Kafka acknowledged, so every event
 *       with an id up to M is in Kafka.</li>
 * </ol>
 * A checkpoint read back at start that lies above the sequence's next id is not taken over. The
 * watermark lags the live position by a few ticks; a republish from it sends a few seconds of
 * events twice (recognisable by {@code ce_id}), never misses one.
 */
final class PublishedWatermark {

    /** Candidates kept at most (one per tick): an hour at the 5 s monitor interval. */
    static final int MAX_CANDIDATES = 720;

    private static final class Candidate {
        final long maxEventId;
        final long snapshotXmax;
        long positionLsn = -1;

        Candidate(long maxEventId, long snapshotXmax) {
            this.maxEventId = maxEventId;
            this.snapshotXmax = snapshotXmax;
        }
    }

    private final SchemaName schema;
    private final PublishCheckpoints checkpoints;
    private final String bridgeName;
    private final String slotName;
    private final Deque<Candidate> candidates = new ArrayDeque<>();
    private PublishCheckpoints.Identity identity;
    private long watermark = 1;
    private long recorded = 0;

    PublishedWatermark(SchemaName schema, String bridgeName, String slotName) {
        this.schema = schema;
        this.checkpoints = new PublishCheckpoints(schema);
        this.bridgeName = bridgeName;
        this.slotName = slotName;
    }

    /**
     * One step; records the checkpoint when it is new or the watermark rose.
     *
     * @param confirmedFlushLsn the slot's confirmed position read just before, or {@code null} when
     *     the slot does not exist (yet)
     * @return the watermark: every event with a smaller id is in Kafka
     */
    long tick(Connection connection, String confirmedFlushLsn) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            long nextEventId;
            try (ResultSet rs = statement.executeQuery(SqlResource.load("watermark_candidate", schema))) {
                rs.next();
                candidates.addLast(new Candidate(rs.getLong("max_event_id"), Long.parseUnsignedLong(rs.getString("snapshot_xmax"))));
                nextEventId = rs.getLong("next_event_id");
            }
            if (identity == null) {
                identity = PublishCheckpoints.identity(connection);
                PublishCheckpoints.Checkpoint previous = checkpoints.find(connection, bridgeName);
                // A stored value above every id the sequence has handed out was not proven by a
                // bridge: it is not taken over (select_cdc_checkpoint already returns it as 1).
                if (previous != null && previous.systemIdentifier() == identity.systemIdentifier()
                        && previous.database().equals(identity.database()) && previous.slotName().equals(slotName)
                        && previous.publishedBelowEventId() <= nextEventId) {
                    watermark = Math.max(watermark, previous.publishedBelowEventId());
                }
            }
            while (candidates.size() > MAX_CANDIDATES) {
                candidates.removeFirst();
            }
            try (ResultSet rs = statement.executeQuery(SqlResource.load("watermark_progress"))) {
                rs.next();
                long runningXmin = Long.parseUnsignedLong(rs.getString("running_xmin"));
                long insertLsn = PublishCheckpoints.lsn(rs.getString("insert_lsn"));
                for (Candidate candidate : candidates) {
                    if (candidate.positionLsn < 0 && Long.compareUnsigned(runningXmin, candidate.snapshotXmax) >= 0) {
                        candidate.positionLsn = insertLsn;
                    }
                }
            }
        }
        long confirmed = PublishCheckpoints.lsn(confirmedFlushLsn);
        if (confirmed >= 0) {
            for (Iterator<Candidate> it = candidates.iterator(); it.hasNext(); ) {
                Candidate candidate = it.next();
                if (candidate.positionLsn >= 0 && Long.compareUnsigned(candidate.positionLsn, confirmed) <= 0) {
                    watermark = Math.max(watermark, candidate.maxEventId + 1);
                    it.remove();
                }
            }
        }
        if (watermark != recorded) {
            checkpoints.upsert(connection, bridgeName, identity, slotName, confirmedFlushLsn, watermark);
            recorded = watermark;
        }
        return watermark;
    }
}
