-- Whether a replication slot is in use, and by which session: the bridge's Debezium task checks it
-- before each start, and refuses a slot another process streams from.
-- Parameters: 1 = slot name (text).
-- Returns at most one row: active (boolean), active_pid (int, NULL when inactive),
-- application_name (text), client_addr (text; both NULL when PostgreSQL does not show them).
SELECT s.active,
       s.active_pid,
       a.application_name,
       host(a.client_addr) AS client_addr
  FROM pg_catalog.pg_replication_slots s
  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = s.active_pid
 WHERE s.slot_name = ?;
