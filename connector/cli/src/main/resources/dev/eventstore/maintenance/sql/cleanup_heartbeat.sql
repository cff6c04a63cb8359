-- The heartbeat table: one row, upserted in place by the bridge (or the Connect connector).
-- Parameters: none (${schema} is the validated event store schema).
SELECT count(*) AS row_count, max(beat_at) AS last_beat_at FROM ${schema}.cdc_heartbeat;
