-- A stream's row, deleted or not.
-- Parameters: 1 = stream id (text).
-- Returns zero or one row: stream_id, stream_version, created_at, updated_at, deleted_at
--   (timestamps UTC), metadata (JSON text).
SELECT stream_id, stream_version, created_at, updated_at, deleted_at, metadata::text AS metadata
  FROM ${schema}.event_streams
 WHERE stream_id = ?;
