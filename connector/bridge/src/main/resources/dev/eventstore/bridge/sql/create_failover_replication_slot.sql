-- Creates a logical replication slot decoding with pgoutput as a failover slot (PostgreSQL 17 and
-- later): standbys that set sync_replication_slots keep a copy of it, usable after a promotion.
-- From its creation on, the server keeps every change of this database for it until its consumer
-- confirms them. Needs the REPLICATION attribute.
-- Parameters: 1 = slot name (text).
SELECT lsn::text FROM pg_catalog.pg_create_logical_replication_slot(?, 'pgoutput', false, false, true);
