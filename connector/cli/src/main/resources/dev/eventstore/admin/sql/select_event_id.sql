-- The id of one stored event, to name it in a report.
-- Parameters: 1 = stream id (text), 2 = stream version (bigint).
SELECT event_id FROM ${schema}.events WHERE stream_id = ? AND stream_version = ?;
