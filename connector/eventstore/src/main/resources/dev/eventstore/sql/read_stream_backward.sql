-- A page of a stream's events newest first, starting at a version and going down.
-- Parameters: 1 = stream id (text), 2 = from version (bigint, inclusive; Long.MAX_VALUE for the
--   last event), 3 = max count (int).
-- Returns: event_id, stream_id, stream_version, event_type, event_version, data, metadata (JSON
--   text), created_at (timestamp, UTC).
-- Errors: stream not found (ZE003), deleted (ZE002), invalid arguments (ZE004, ZE006).
SELECT event_id, stream_id, stream_version, event_type, event_version,
       data::text AS data, metadata::text AS metadata, created_at
  FROM ${schema}.read_stream_backward(?, ?, ?);
