-- A page of all events by event id, deleted streams included (export and administration only:
-- event ids are not in commit order).
-- Parameters: 1 = from event id (bigint, inclusive), 2 = max count (int).
-- Returns: event_id, stream_id, stream_version, event_type, event_version, data, metadata (JSON
--   text), created_at (timestamp, UTC).
-- Errors: invalid arguments (ZE006).
SELECT event_id, stream_id, stream_version, event_type, event_version,
       data::text AS data, metadata::text AS metadata, created_at
  FROM ${schema}.read_all_forward(?, ?);
