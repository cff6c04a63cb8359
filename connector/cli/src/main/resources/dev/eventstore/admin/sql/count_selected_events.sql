-- How many stored events a republish will send, for its progress bar.
-- Parameters: 1 = from this event id (bigint, inclusive), 2 and 3 = stream id or NULL (text, twice),
--   4 and 5 = category or NULL (text, twice).
SELECT count(*)
  FROM ${schema}.events
 WHERE event_id >= ?
   AND (?::text IS NULL OR stream_id = ?)
   AND (?::text IS NULL
        OR (CASE WHEN position('-' IN stream_id) > 1 THEN split_part(stream_id, '-', 1) ELSE stream_id END) = ?);
