-- Creates a logical replication slot decoding with pgoutput. From its creation on, the server
-- keeps every change of this database for it until its consumer confirms them. Needs the
-- REPLICATION attribute.
-- Parameters: 1 = slot name (text).
SELECT lsn::text FROM pg_catalog.pg_create_logical_replication_slot(?, 'pgoutput');
