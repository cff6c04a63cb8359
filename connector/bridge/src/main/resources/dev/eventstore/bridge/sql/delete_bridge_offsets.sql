-- Forgets a bridge's stored offsets (run --reset-offsets): its next start snapshots again.
-- Parameters: 1 = the key prefix of the bridge, its name as the JSON array's first element: '["eventstore-bridge",'.
DELETE FROM ${schema}.cdc_offsets WHERE starts_with(offset_key, ?);
