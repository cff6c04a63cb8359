-- The replication slot as a restarting bridge checks it against its stored offsets: a slot that has
-- confirmed WAL beyond the position the bridge stored is not the slot those offsets were read from
-- (the bridge confirms to its slot only positions it has stored first).
-- Parameters: 1 = the stored position (text, pg_lsn), 2 = slot name (text).
-- Returns at most one row: confirmed_flush_lsn (text), ahead (boolean: confirmed beyond the
-- stored position), wal_status (text).
SELECT confirmed_flush_lsn::text AS confirmed_flush_lsn,
       coalesce(confirmed_flush_lsn > ?::pg_lsn, false) AS ahead,
       wal_status
  FROM pg_catalog.pg_replication_slots
 WHERE slot_name = ?;
