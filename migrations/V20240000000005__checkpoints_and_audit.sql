-- What maintenance and recovery need beside the specified tables: the bridge's publish
-- checkpoints (to detect a restore and name the exact republish), and an audit log of
-- administrative commands. Nothing here touches the specified tables.


-- cdc_checkpoints: one row per bridge (bridge.name): on which server and slot its offsets in
-- cdc_offsets were written, and a low watermark of what Kafka has acknowledged there.
--
-- Why: Debezium's offsets are WAL positions (LSNs) of one server. A backup restored elsewhere
-- (pg_dump, or a base backup: neither carries replication slots) brings the offsets back without
-- the slot they describe, and on another server the LSNs mean nothing. The system identifier
-- (pg_control_system()) tells the servers apart; the watermark tells how much is surely in Kafka,
-- so that the bridge can refuse with the exact `eventstore republish --from-event-id N` to run.
--
-- published_below_event_id: every event whose id is below it had been acknowledged by Kafka
-- when the row was written. Event ids are taken at insert, not at commit, so the bridge proves
-- it rather than taking the highest id published: it notes max(event_id) with the snapshot
-- that saw it, waits until every transaction running at that snapshot has ended, notes the WAL
-- insert position then (every such commit is before it), and raises the watermark once the
-- slot's confirmed position (what Kafka acknowledged and Debezium confirmed) has passed that
-- position. Written by the bridge's monitor loop, every few seconds while the watermark moves.
--
-- recovery_*: set when the bridge refused to resume (restored or lost slot); while set, every
-- start refuses with the same advice until `run --reset-offsets`, which deletes the row.
CREATE TABLE cdc_checkpoints (
  bridge_name text NOT NULL,
  system_identifier bigint NOT NULL,
  database_name text NOT NULL,
  slot_name text NOT NULL,
  acknowledged_lsn pg_lsn,
  published_below_event_id bigint NOT NULL,
  recorded_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  recovery_reason text,
  recovery_from_event_id bigint,
  recovery_noted_at timestamp,
  CONSTRAINT pk_cdc_checkpoints PRIMARY KEY (bridge_name),
  CONSTRAINT ck_cdc_checkpoints_watermark CHECK (published_below_event_id >= 1)
);


-- audit_log: who ran which administrative command, when, with which arguments (never a
-- secret: passwords and credentials are masked before they are written), and what it did.
-- Written in the same transaction as the change it describes where there is one (a hard delete
-- and its audit row commit together). `cleanup` writes it; other commands are to follow.
-- Columns: db_user (current_user), session_user_name, os_user (the operating-system account of
-- the process, as it reported it), client_host (the host the command ran on), command, arguments,
-- details (what was done: counts, stream ids).
CREATE TABLE audit_log (
  audit_id bigserial NOT NULL,
  occurred_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  db_user text NOT NULL DEFAULT current_user,
  session_user_name text NOT NULL DEFAULT session_user,
  os_user text,
  client_host text,
  command text NOT NULL,
  arguments text[] NOT NULL DEFAULT '{}',
  details jsonb,
  CONSTRAINT pk_audit_log PRIMARY KEY (audit_id)
);

CREATE INDEX idx_audit_log_occurred_at ON audit_log (occurred_at);


-- monitor_replication_slots (from the previous migration) gains bridge_name: the bridge whose
-- checkpoint names the slot (NULL for a slot no bridge of this store has recorded, such as the
-- Kafka Connect deployment's). Columns are only added at the end, as CREATE OR REPLACE VIEW
-- requires.
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
