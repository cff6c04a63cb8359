-- Soft-deletes a stream: sets deleted_at; events stay, appends and stream reads are refused.
-- Parameters: 1 = stream id (text), 2 = expected version (bigint, encoded as for appends).
-- Returns one row: deleted_at (timestamp, UTC).
-- Errors: stream not found (ZE003), already deleted (ZE002), wrong expected version (ZE001).
SELECT ${schema}.delete_stream(?, ?) AS deleted_at;
