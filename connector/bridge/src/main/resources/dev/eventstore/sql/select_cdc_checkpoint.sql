-- The publish checkpoint of one bridge (see the migration V20240000000005 for its meaning).
-- Parameters: 1 = bridge name (text).
-- Returns at most one row.
SELECT bridge_name, system_identifier, database_name, slot_name, acknowledged_lsn::text AS acknowledged_lsn,
       published_below_event_id, recorded_at, recovery_reason, recovery_from_event_id, recovery_noted_at
  FROM ${schema}.cdc_checkpoints
 WHERE bridge_name = ?;
