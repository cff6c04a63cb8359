-- How many offsets a bridge has stored (keys are JSON arrays starting with the bridge's name).
-- Parameters: 1 = the key prefix of the bridge, its name as the JSON array's first element: '["eventstore-bridge",'.
SELECT count(*) FROM ${schema}.cdc_offsets WHERE starts_with(offset_key, ?);
