-- One replication slot's state, for the bridge's start-up checks, /health and /metrics.
-- Parameters: 1 = slot name (text).
-- Returns at most one row.
SELECT slot_name,
       plugin,
       database,
       active,
       active_pid,
       wal_status,
       coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint AS retained_bytes,
       coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint AS lag_bytes
  FROM pg_catalog.pg_replication_slots
 WHERE slot_name = ?;
