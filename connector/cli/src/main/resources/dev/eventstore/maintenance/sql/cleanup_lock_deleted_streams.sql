-- Locks the streams a hard delete removes, checking again that each is soft-deleted before the
-- cutoff; the locked streams are exactly those deleted (an append to a deleted stream is refused
-- anyway, and waits for this lock first).
-- Parameters: 1 = stream ids (text[]), 2 = cutoff (timestamp, UTC).
SELECT stream_id
  FROM ${schema}.event_streams
 WHERE stream_id = ANY (?)
   AND deleted_at IS NOT NULL
   AND deleted_at < ?
 ORDER BY stream_id
   FOR UPDATE;
