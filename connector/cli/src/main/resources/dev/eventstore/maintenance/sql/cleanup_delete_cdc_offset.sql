-- Deletes one stored Debezium offset if it has not been flushed since the cutoff.
-- Parameters: 1 = offset key (text), 2 = cutoff (timestamp, UTC).
DELETE FROM ${schema}.cdc_offsets WHERE offset_key = ? AND updated_at < ?;
