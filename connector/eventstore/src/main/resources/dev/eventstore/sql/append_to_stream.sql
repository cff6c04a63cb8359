-- Appends a batch of events to a stream in one statement (all or nothing).
-- Parameters: 1 = stream id (text), 2 = expected version (bigint: -1 any, -2 no stream,
--   -3 stream exists, n >= 0 exactly n), 3 = event types (text[]), 4 = event versions (int[]),
--   5 = data (jsonb[]), 6 = metadata (jsonb[], elements may be NULL). Arrays are parallel, in
--   stream order. ${schema} is the validated event store schema.
-- Returns one row: first_version, last_version, event_ids (bigint[], in stream order).
-- Errors: see append_to_stream in migrations/V20240000000001__schema_functions.sql.
SELECT first_version, last_version, event_ids
  FROM ${schema}.append_to_stream(?, ?, ?, ?, ?, ?);
