-- The events of a stream that a batch with client-chosen ids would be, if it is stored, compared
-- with the batch's content, and the stream's current version: what an idempotent append needs to
-- tell a retry from a first attempt. A batch is stored whole or not at all, so its first id decides:
-- one look-up of that id (metadata containment, @>, on the GIN index on events.metadata) finds
-- where the batch would start, and the other events are read by version (the unique index on
-- stream_id, stream_version), each matched only when it carries the batch's id at that position.
-- Parameters: 1 = stream id (text), 2 = the first event's id (text); 3 = event uuids (text[]),
--   4 = event types (text[]), 5 = event versions (int[]), 6 = data (jsonb[]), 7 = metadata
--   (jsonb[]): parallel arrays in batch order; 8 = stream id again. ${schema} is the validated
--   event store schema.
-- Returns no row when the stream does not exist, else one row per batch event, in batch order:
--   position (1-based), stream_version and deleted of the stream; event_id, event_stream_version
--   and same_content of the stored event with the batch's id at that position (NULL where none).
WITH first_stored AS (
  SELECT e.stream_version
    FROM ${schema}.events e
   WHERE e.stream_id = ?
     AND e.metadata @> jsonb_build_object('event_uuid', ?::text)
   ORDER BY e.stream_version
   LIMIT 1
)
SELECT b.position,
       s.stream_version,
       s.deleted_at IS NOT NULL AS deleted,
       e.event_id,
       e.stream_version AS event_stream_version,
       (e.event_type = b.event_type AND e.event_version = b.event_version AND e.data = b.data
        AND e.metadata IS NOT DISTINCT FROM b.metadata) AS same_content
  FROM unnest(?::text[], ?::text[], ?::int[], ?::jsonb[], ?::jsonb[])
         WITH ORDINALITY AS b(event_uuid, event_type, event_version, data, metadata, position)
  JOIN ${schema}.event_streams s ON s.stream_id = ?
  LEFT JOIN ${schema}.events e
         ON e.stream_id = s.stream_id
        AND e.stream_version = (SELECT stream_version FROM first_stored) + b.position - 1
        AND e.metadata ->> 'event_uuid' = b.event_uuid
 ORDER BY b.position;
