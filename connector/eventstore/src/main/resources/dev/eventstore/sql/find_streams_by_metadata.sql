-- Streams that are not deleted and whose metadata contains the given JSON (jsonb @>, answered by
-- the GIN index idx_event_streams_metadata), by stream id.
-- Parameters: 1 = containment (JSON object text), 2 = after stream id (text; '' from the first),
--   3 = max count (int).
-- Returns: stream_id, stream_version, created_at, updated_at, deleted_at (timestamps UTC),
--   metadata (JSON text).
SELECT stream_id, stream_version, created_at, updated_at, deleted_at, metadata::text AS metadata
  FROM ${schema}.event_streams
 WHERE metadata @> ?::jsonb
   AND deleted_at IS NULL
   AND stream_id > ?
 ORDER BY stream_id
 LIMIT ?;
