-- Deletes the events of some streams (needs cleanup_maintenance_on.sql first, in the same
-- transaction); returns how many per stream. The bridge receives these deletes through its slot
-- and drops them (events are published on insert only).
-- Parameters: 1 = stream ids (text[]).
WITH deleted AS (
  DELETE FROM ${schema}.events WHERE stream_id = ANY (?) RETURNING stream_id
)
SELECT stream_id, count(*) AS row_count FROM deleted GROUP BY stream_id;
