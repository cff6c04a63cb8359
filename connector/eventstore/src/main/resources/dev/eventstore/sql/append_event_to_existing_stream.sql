-- Appends one event to a stream that exists and is not deleted, in one statement: the stream's
-- row is advanced (and locked) only if the expected version holds, and the event is inserted at
-- the new version. Exactly what append_to_stream writes for one event (same row lock, same
-- created_at and updated_at: now() is the transaction's start), without the function's call.
-- Parameters: 1 = stream id (text), 2 and 3 = expected version (bigint, bound twice: -1 any,
--   -3 stream exists, n >= 0 exactly n; never -2, a new stream takes append_to_stream),
--   4 = event type, 5 = event version, 6 = data (JSON text), 7 = metadata (JSON text or NULL).
-- Returns one row (event_id, stream_version) when the event was written, no row otherwise: the
-- stream is new, deleted, or at another version. The caller then calls append_to_stream, which
-- decides and words every one of those cases (the one source of append errors), under its lock.
-- ${schema} is the validated event store schema.
WITH advanced AS (
  UPDATE ${schema}.event_streams
     SET stream_version = stream_version + 1, updated_at = (now() AT TIME ZONE 'UTC')
   WHERE stream_id = ? AND deleted_at IS NULL AND (?::bigint < 0 OR stream_version = ?)
  RETURNING stream_id, stream_version)
INSERT INTO ${schema}.events (stream_id, stream_version, event_type, event_version, data, metadata, created_at)
SELECT advanced.stream_id, advanced.stream_version, ?, ?, ?::jsonb, ?::jsonb, (now() AT TIME ZONE 'UTC')
  FROM advanced
RETURNING event_id, stream_version;
