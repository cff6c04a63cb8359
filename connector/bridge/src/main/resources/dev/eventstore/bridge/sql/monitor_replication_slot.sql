-- One replication slot of the store's database, from the monitoring view.
-- Parameters: 1 = slot name (text).
-- Returns at most one row.
SELECT slot_name, plugin, active, active_pid, wal_status, retained_wal_bytes, unconfirmed_wal_bytes,
       safe_wal_size, restart_lsn::text AS restart_lsn, confirmed_flush_lsn::text AS confirmed_flush_lsn,
       store_default_slot, publication, bridge_name
  FROM ${schema}.monitor_replication_slots
 WHERE slot_name = ?;
