-- The stream and version of one event, by its id (waits given an event id).
-- Parameters: 1 = event id (bigint).
SELECT stream_id, stream_version FROM ${schema}.events WHERE event_id = ?;
