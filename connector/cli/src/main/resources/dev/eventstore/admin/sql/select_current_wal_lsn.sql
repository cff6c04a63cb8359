-- The server's current WAL position; the first statement of verify's snapshot transaction.
-- Returns one row: lsn (pg_lsn as text).
SELECT pg_current_wal_lsn()::text AS lsn;
