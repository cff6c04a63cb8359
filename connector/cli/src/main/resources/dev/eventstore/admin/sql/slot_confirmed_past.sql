-- Whether a replication slot has confirmed the WAL up to a position: every change committed
-- before it has been acknowledged by the slot's consumer (the bridge confirms after Kafka does).
-- Parameters: 1 = WAL position (text, pg_lsn), 2 = slot name (text).
-- Returns at most one row: confirmed (boolean), active (boolean: a bridge is streaming from it).
SELECT coalesce(confirmed_flush_lsn >= ?::pg_lsn, false) AS confirmed, active
  FROM pg_catalog.pg_replication_slots
 WHERE slot_name = ?;
