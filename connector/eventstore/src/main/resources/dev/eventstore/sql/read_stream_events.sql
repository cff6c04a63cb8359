-- Every event of a stream from a version on, in stream order, for the streaming read: the caller
-- reads it with a fetch size inside a transaction (a cursor), so the stream is never held in
-- memory whole. Run after check_stream_readable in the same transaction.
-- Parameters: 1 = stream id (text), 2 = from version (bigint, inclusive).
-- Returns: event_id, stream_id, stream_version, event_type, event_version, data, metadata (JSON
--   text), created_at (timestamp, UTC).
SELECT event_id, stream_id, stream_version, event_type, event_version,
       data::text AS data, metadata::text AS metadata, created_at
  FROM ${schema}.events
 WHERE stream_id = ? AND stream_version >= ?
 ORDER BY stream_version;
