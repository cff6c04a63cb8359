-- Grants: who may do what in the event store schema. Nobody gets more access than their role
-- needs, and grant_roles() below is the one definition of every group role's privileges.
--
-- Group roles (NOLOGIN; named after the schema so that two stores in one cluster stay apart):
--   <schema>_reader  SELECT on events, event_streams, subscriptions, cdc_topics and the monitoring
--                    views (dashboards, `eventstore status`); the read functions.
--   <schema>_writer  SELECT on events, event_streams and subscriptions; no INSERT, UPDATE or
--                    DELETE on any table, no sequence. It appends with append_event (one event,
--                    one round trip) and append_to_stream (a batch), soft-deletes with
--                    delete_stream, sets and merges stream metadata with set_stream_metadata, keeps positions with record_subscription_position and removes
--                    those of its own groups with delete_subscription: functions that are SECURITY
--                    DEFINER, validate every argument, take event ids from the sequence and
--                    timestamps from the server clock in UTC.
--   <schema>_cdc     what the bridge needs: read the published tables, write the heartbeat, its
--                    offsets, checkpoints, topics and the offset mirror's positions; read the
--                    monitoring views its monitor loop polls; record positions and audit rows
--                    through record_subscription_position and record_audit. REPLICATION is a role
--                    attribute, not a privilege: give it to the bridge's login role itself.
-- The owner is the role that runs the migrations. Login roles join a group:
--   CREATE ROLE game_server LOGIN PASSWORD '...' IN ROLE eventstore_writer;
--   CREATE ROLE bridge LOGIN REPLICATION PASSWORD '...' IN ROLE eventstore_cdc;
-- PUBLIC has no access to the schema, its tables, sequences or functions.
--
-- Creating roles needs CREATEROLE. Where the migrating role lacks it, this file only revokes
-- PUBLIC's access and grants to the groups that exist; `eventstore roles` (run by a role that may)
-- creates the groups and calls grant_roles().
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, the functions
-- (R__1_*) and the views (R__2_*): a new function or view is granted by adding it here. CREATE OR
-- REPLACE of a function or view keeps its grants; an object dropped and created again loses them
-- until this file runs again, so change this file in the same commit.

REVOKE ALL ON SCHEMA ${flyway:defaultSchema} FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA ${flyway:defaultSchema} FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${flyway:defaultSchema} FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ${flyway:defaultSchema} FROM PUBLIC;

-- grant_roles(): revokes everything from each existing group role, then grants it exactly its
-- privileges; idempotent. Functions created since the last call lose PUBLIC's EXECUTE too.
-- Parameters: none. Errors: none (roles that do not exist are skipped).
CREATE OR REPLACE FUNCTION grant_roles() RETURNS void
  LANGUAGE plpgsql
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  s text := '${flyway:defaultSchema}';
  reader text := s || '_reader';
  writer text := s || '_writer';
  cdc text := s || '_cdc';
  r text;
BEGIN
  EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM PUBLIC', s);
  FOREACH r IN ARRAY ARRAY[reader, writer, cdc] LOOP
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', s, r);
      EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', s, r);
      EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM %I', s, r);
      EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', s, r);
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, r);
      EXECUTE format('GRANT SELECT ON %I.events, %I.event_streams, %I.subscriptions, %I.published_streams TO %I',
                     s, s, s, s, r);
      EXECUTE format('GRANT EXECUTE ON FUNCTION %I.check_stream_id(text), %I.check_page(bigint, integer),'
                     ' %I.check_subscription_id(text), %I.stream_for_read(text), %I.subscription_positions(text)'
                     ' TO %I', s, s, s, s, s, r);
    END IF;
  END LOOP;

  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = reader) THEN
    EXECUTE format('GRANT EXECUTE ON FUNCTION %I.read_stream_forward(text, bigint, integer),'
                   ' %I.read_stream_backward(text, bigint, integer), %I.read_all_forward(bigint, integer),'
                   ' %I.stream_category(text) TO %I', s, s, s, s, reader);
    EXECUTE format('GRANT SELECT ON %I.monitor_events_per_hour, %I.monitor_streams_per_category,'
                   ' %I.monitor_subscription_lag, %I.monitor_replication_slots, %I.monitor_largest_streams,'
                   ' %I.monitor_table_sizes, %I.cdc_topics TO %I', s, s, s, s, s, s, s, reader);
    EXECUTE format('GRANT SELECT ON SEQUENCE %I.events_event_id_seq TO %I', s, reader);
  END IF;

  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = writer) THEN
    -- Reads, and the validating writers; no table, sequence or other function.
    EXECUTE format('GRANT EXECUTE ON FUNCTION %I.read_stream_forward(text, bigint, integer),'
                   ' %I.read_stream_backward(text, bigint, integer), %I.read_all_forward(bigint, integer),'
                   ' %I.append_event(text, bigint, text, integer, jsonb, jsonb),'
                   ' %I.append_to_stream(text, bigint, text[], integer[], jsonb[], jsonb[]),'
                   ' %I.delete_stream(text, bigint), %I.set_stream_metadata(text, jsonb, boolean),'
                   ' %I.record_subscription_position(text, text, bigint, bigint, jsonb),'
                   ' %I.delete_subscription(text, text), %I.may_manage_subscription(text) TO %I',
                   s, s, s, s, s, s, s, s, s, s, writer);
  END IF;

  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = cdc) THEN
    EXECUTE format('GRANT SELECT ON SEQUENCE %I.events_event_id_seq TO %I', s, cdc);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.cdc_heartbeat, %I.mirror_positions, %I.published_streams TO %I',
                   s, s, s, cdc);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.cdc_offsets, %I.cdc_checkpoints, %I.cdc_topics TO %I',
                   s, s, s, cdc);
    EXECUTE format('GRANT SELECT ON %I.monitor_replication_slots, %I.monitor_streams_per_category,'
                   ' %I.monitor_subscription_lag TO %I', s, s, s, cdc);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %I.record_subscription_position(text, text, bigint, bigint, jsonb),'
                   ' %I.stream_category(text),'
                   ' %I.record_audit(text, text[], jsonb, text, text) TO %I', s, s, s, cdc);
  END IF;
END
$$;
REVOKE ALL ON FUNCTION grant_roles() FROM PUBLIC;

-- Create the group roles where the migrating role may, then grant.
DO $$
BEGIN
  IF (SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${flyway:defaultSchema}_reader') THEN
      CREATE ROLE ${flyway:defaultSchema}_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${flyway:defaultSchema}_writer') THEN
      CREATE ROLE ${flyway:defaultSchema}_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${flyway:defaultSchema}_cdc') THEN
      CREATE ROLE ${flyway:defaultSchema}_cdc NOLOGIN;
    END IF;
  ELSE
    RAISE NOTICE 'role % may not create roles: run `eventstore roles` as a role that may', current_user;
  END IF;
  PERFORM grant_roles();
END
$$;
