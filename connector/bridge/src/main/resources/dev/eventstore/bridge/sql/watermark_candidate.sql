-- The newest event id visible now, with the snapshot that sees it (both of this statement):
-- every event with a smaller id that this snapshot does not see belongs to a transaction
-- running at the snapshot, whose id is below its xmax (append_to_stream takes its transaction
-- id, updating the stream row, before it takes event ids).
-- Only ids the sequence has handed out count: a row whose event_id is above the sequence's last
-- value was not written by the store's functions (which take every id from the sequence) and
-- never moves the watermark. next_event_id bounds any stored checkpoint the same way.
-- Parameters: none (${schema} is the validated event store schema).
-- Returns one row: max_event_id (bigint, 0 when none), snapshot_xmax (text), next_event_id
--   (bigint: every id the sequence has handed out is below it).
WITH seq AS (
  SELECT CASE WHEN s.is_called THEN s.last_value + 1 ELSE s.last_value END AS next_event_id
    FROM ${schema}.events_event_id_seq s)
SELECT coalesce((SELECT max(e.event_id) FROM ${schema}.events e WHERE e.event_id < seq.next_event_id), 0)
         AS max_event_id,
       pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text AS snapshot_xmax,
       seq.next_event_id
  FROM seq;
