-- The oldest transaction still running, and the WAL insert position: once the xmin is at or past
-- a candidate's xmax, every transaction of that candidate has ended, and their commit records
-- lie before this position.
-- Parameters: none.
SELECT pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text AS running_xmin,
       pg_catalog.pg_current_wal_insert_lsn()::text AS insert_lsn;
