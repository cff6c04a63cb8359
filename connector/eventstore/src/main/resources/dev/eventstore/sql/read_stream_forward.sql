-- A page of a stream's events in stream order, starting at a version.
-- Parameters: 1 = stream id (text), 2 = from version (bigint, inclusive), 3 = max count (int).
-- Returns: event_id, stream_id, stream_version, event_type, event_version, data, metadata (JSON
--   text), created_at (timestamp, UTC).
-- Errors: stream not found (ZE003), deleted (ZE002), invalid arguments (ZE004, ZE006).
SELECT event_id, stream_id, stream_version, event_type, event_version,
       data::text AS data, metadata::text AS metadata, created_at
  FROM ${schema}.read_stream_forward(?, ?, ?);
