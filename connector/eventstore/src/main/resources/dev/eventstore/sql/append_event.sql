-- Appends one event in one call: append_event (migration V20240000000012) advances the stream's
-- row and inserts the event in one statement when the stream exists at the expected version, and
-- otherwise calls append_to_stream, which creates the stream or raises the append error.
-- Parameters: 1 = stream id (text), 2 = expected version (bigint: -1 any, -2 no stream,
--   -3 stream exists, n >= 0 exactly n), 3 = event type (text), 4 = event version (int),
--   5 = data (JSON text), 6 = metadata (JSON text or NULL).
-- ${schema} is the validated event store schema.
-- Returns one row: new_event_id, new_version.
-- Errors: see append_to_stream in migrations/V20240000000001__schema_functions.sql.
SELECT new_event_id, new_version
  FROM ${schema}.append_event(?, ?, ?, ?, ?::jsonb, ?::jsonb);
