-- A page of stored events in event id order, for republish and verify (keyset pagination).
-- Parameters: 1 = after this event id (bigint, exclusive), 2 and 3 = category or NULL for every
--   category (text, given twice), 4 = page size (integer).
-- The category is the part of the stream id before its first '-' (the whole id when it has none
-- or starts with one), as the bridge names topics. Within a stream, event ids grow with stream
-- versions (appends to a stream are serialised by its row lock), so this order keeps each
-- stream's order.
SELECT event_id, stream_id, stream_version, event_type, event_version,
       data::text AS data, metadata::text AS metadata, created_at
  FROM ${schema}.events
 WHERE event_id > ?
   AND (?::text IS NULL
        OR (CASE WHEN position('-' IN stream_id) > 1 THEN split_part(stream_id, '-', 1) ELSE stream_id END) = ?)
 ORDER BY event_id
 LIMIT ?;
