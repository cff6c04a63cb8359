-- Whether a replication slot is a failover slot (PostgreSQL 17 and later: the column is new there).
-- Parameters: 1 = slot name (text).
-- Returns zero or one row: failover (boolean).
SELECT failover FROM pg_catalog.pg_replication_slots WHERE slot_name = ?;
