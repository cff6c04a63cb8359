-- Every stream's version (its number of events), with the WAL position of the snapshot, for
-- verify. Run in a REPEATABLE READ transaction after select_current_wal_lsn.sql, so that every
-- event counted here was committed before that position.
-- Parameters: 1 and 2 = category or NULL for every category (text, given twice).
SELECT stream_id, stream_version
  FROM ${schema}.event_streams
 WHERE stream_version > 0
   AND (?::text IS NULL
        OR (CASE WHEN position('-' IN stream_id) > 1 THEN split_part(stream_id, '-', 1) ELSE stream_id END) = ?);
