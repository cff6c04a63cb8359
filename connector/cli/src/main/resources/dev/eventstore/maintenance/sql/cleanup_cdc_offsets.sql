-- Every stored Debezium offset with its last flush; keys are JSON arrays [bridge name, partition].
-- Parameters: none (${schema} is the validated event store schema).
SELECT offset_key, updated_at FROM ${schema}.cdc_offsets ORDER BY offset_key;
