-- The events of a stream that carry the client-chosen ids of a batch, compared with the batch's
-- content, and the stream's current version: what an idempotent append needs to tell a retry from
-- a first attempt. The metadata containment (@>) uses the GIN index on events.metadata.
-- Parameters: 1 = event uuids (text[]), 2 = event types (text[]), 3 = event versions (int[]),
--   4 = data (jsonb[]), 5 = metadata (jsonb[]): parallel arrays in batch order; 6 = stream id (text).
--   ${schema} is the validated event store schema.
-- Returns no row when the stream does not exist, else one row per batch event (more where the
--   stream holds an id twice), in batch order: position (1-based), stream_version and deleted of
--   the stream; event_id, event_stream_version and same_content of the stored event carrying the
--   id (NULL where none does).
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
        AND e.metadata @> jsonb_build_object('event_uuid', b.event_uuid)
 ORDER BY b.position, e.stream_version;
