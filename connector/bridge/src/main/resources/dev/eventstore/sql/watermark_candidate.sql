-- The newest event id visible now, with the snapshot that sees it (both of this statement):
-- every event with a smaller id that this snapshot does not see belongs to a transaction
-- running at the snapshot, whose id is below its xmax (append_to_stream takes its transaction
-- id, updating the stream row, before it takes event ids).
-- Parameters: none (${schema} is the validated event store schema).
SELECT coalesce(max(event_id), 0) AS max_event_id,
       pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text AS snapshot_xmax
  FROM ${schema}.events;
