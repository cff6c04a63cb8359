-- Stores one Debezium offset, replacing the previous value of its key.
-- Parameters: 1 = offset_key (text), 2 = offset_value (text).
INSERT INTO ${schema}.cdc_offsets (offset_key, offset_value, updated_at)
VALUES (?, ?, now() AT TIME ZONE 'UTC')
ON CONFLICT (offset_key) DO UPDATE
   SET offset_value = excluded.offset_value,
       updated_at = excluded.updated_at;
