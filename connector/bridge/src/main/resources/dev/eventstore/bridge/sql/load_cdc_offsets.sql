-- Every stored Debezium offset, for the bridge's offset store to load at start.
-- Parameters: none (${schema} is the validated event store schema).
-- Returns: offset_key, offset_value (Kafka Connect's JSON).
SELECT offset_key, offset_value FROM ${schema}.cdc_offsets;
