-- monitor_replication_slots: the logical replication slots of this database, with the WAL each
-- holds back. The bridge's slot is <schema>_cdc unless slot.name says otherwise (the Kafka
-- Connect deployment's is eventstore_connect); every such slot decodes the publication
-- <schema>_events. An inactive slot keeps its WAL until it is used or dropped, bounded only by
-- max_slot_wal_keep_size, past which PostgreSQL invalidates it (wal_status 'lost').
-- Columns: slot_name, plugin, active, active_pid, wal_status (reserved, extended, unreserved,
-- lost), retained_wal_bytes (current WAL position minus restart_lsn: what the server keeps for
-- it), unconfirmed_wal_bytes (current position minus confirmed_flush_lsn: written but not yet
-- acknowledged by the slot's consumer), safe_wal_size (bytes left before max_slot_wal_keep_size
-- invalidates it; NULL when unlimited), restart_lsn, confirmed_flush_lsn, store_default_slot
-- (true for <schema>_cdc), publication (<schema>_events, NULL if it does not exist), bridge_name
-- (the bridges whose checkpoint names the slot, comma-separated; NULL for a slot no bridge of this
-- store has recorded, such as the Kafka Connect deployment's).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations and the
-- functions (R__1_*), with search_path set to the event store schema. CREATE OR REPLACE VIEW
-- keeps the view's grants and may only add columns at the end.

CREATE OR REPLACE VIEW monitor_replication_slots AS
SELECT s.slot_name::text AS slot_name,
       s.plugin::text AS plugin,
       s.active,
       s.active_pid,
       s.wal_status,
       coalesce(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.restart_lsn), 0)::bigint AS retained_wal_bytes,
       coalesce(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.confirmed_flush_lsn), 0)::bigint AS unconfirmed_wal_bytes,
       s.safe_wal_size,
       s.restart_lsn,
       s.confirmed_flush_lsn,
       s.slot_name = '${flyway:defaultSchema}_cdc' AS store_default_slot,
       p.pubname::text AS publication,
       (SELECT string_agg(c.bridge_name, ',' ORDER BY c.bridge_name)
          FROM cdc_checkpoints c WHERE c.slot_name = s.slot_name) AS bridge_name
  FROM pg_catalog.pg_replication_slots s
  LEFT JOIN pg_catalog.pg_publication p ON p.pubname = '${flyway:defaultSchema}_events'
 WHERE s.slot_type = 'logical'
   AND s.database = pg_catalog.current_database()
 ORDER BY 1;
