-- Change data capture: what the bridge (Debezium's PostgreSQL connector with pgoutput) needs.
-- Nothing here touches the specified tables' columns or indexes.

-- Heartbeat: the bridge's heartbeat.action.query upserts the one row of this table, so the
-- replication slot sees a change of this database at least every heartbeat interval and its
-- confirmed position moves on, even while no events are appended. Without it an idle events
-- table pins the server's WAL whenever other databases on the server are busy.
CREATE TABLE cdc_heartbeat (
  id integer NOT NULL,
  beat_at timestamp NOT NULL,
  CONSTRAINT pk_cdc_heartbeat PRIMARY KEY (id),
  CONSTRAINT ck_cdc_heartbeat_one_row CHECK (id = 1)
);

-- Debezium's offsets (the log position the bridge has published up to), kept beside the slot
-- they belong to rather than in a file a container loses. One row per key; key and value are
-- the JSON Kafka Connect's offset store writes: key = [bridge name, source partition],
-- value = source offset (LSN and transaction id).
CREATE TABLE cdc_offsets (
  offset_key text NOT NULL,
  offset_value text NOT NULL,
  updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  CONSTRAINT pk_cdc_offsets PRIMARY KEY (offset_key)
);

-- The publication the bridge's slot decodes: events and the heartbeat, nothing else. Created
-- here rather than by Debezium (publication.autocreate.mode=disabled) so that the bridge's role
-- needs no ownership of the tables. Publications belong to the database, not the schema: the
-- name carries the schema so that two event stores in one database keep separate publications.
-- A publication of that name left behind by a schema dropped by hand is taken over, not
-- tripped over.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = '${flyway:defaultSchema}_events') THEN
    ALTER PUBLICATION ${flyway:defaultSchema}_events SET TABLE events, cdc_heartbeat;
    ALTER PUBLICATION ${flyway:defaultSchema}_events SET (publish = 'insert, update, delete');
  ELSE
    CREATE PUBLICATION ${flyway:defaultSchema}_events FOR TABLE events, cdc_heartbeat
      WITH (publish = 'insert, update, delete');
  END IF;
END
$$;
