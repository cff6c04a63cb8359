-- A page of one stream's stored events in version order, for republish --stream.
-- Parameters: 1 = stream id (text), 2 = after this stream version (bigint, exclusive),
--   3 = page size (integer).
SELECT event_id, stream_id, stream_version, event_type, event_version,
       data::text AS data, metadata::text AS metadata, created_at
  FROM ${schema}.events
 WHERE stream_id = ?
   AND stream_version > ?
 ORDER BY stream_version
 LIMIT ?;
