-- Least privilege: nobody gets more access than their role needs.
--
-- Group roles (NOLOGIN; named after the schema so that two stores in one cluster stay apart):
--   <schema>_reader  reads events, streams and subscriptions;
--   <schema>_writer  appends and reads (INSERT on events, never UPDATE, DELETE or TRUNCATE),
--                    keeps subscription positions;
--   <schema>_cdc     what the bridge needs: read the published tables, write the heartbeat, its
--                    offsets and the offset mirror's rows. REPLICATION is a role attribute, not a
--                    privilege: give it to the bridge's login role itself (see grant_roles below).
-- The owner is the role that runs the migrations. Login roles join a group:
--   CREATE ROLE game_server LOGIN PASSWORD '...' IN ROLE eventstore_writer;
--   CREATE ROLE bridge LOGIN REPLICATION PASSWORD '...' IN ROLE eventstore_cdc;
--
-- Creating roles needs CREATEROLE. Where the migrating role lacks it, this migration only
-- revokes PUBLIC's access; `eventstore roles` (run by a role that may) creates the groups and
-- calls grant_roles() below.

REVOKE ALL ON SCHEMA ${flyway:defaultSchema} FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA ${flyway:defaultSchema} FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${flyway:defaultSchema} FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ${flyway:defaultSchema} FROM PUBLIC;

-- grant_roles(): grants each existing group role exactly its privileges; idempotent.
-- Parameters: none. Errors: none (roles that do not exist are skipped).
CREATE FUNCTION grant_roles() RETURNS void
  LANGUAGE plpgsql
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  s text := '${flyway:defaultSchema}';
  reader text := s || '_reader';
  writer text := s || '_writer';
  cdc text := s || '_cdc';
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = reader) THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, reader);
    EXECUTE format('GRANT SELECT ON %I.events, %I.event_streams, %I.subscriptions TO %I', s, s, s, reader);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %I.read_stream_forward(text, bigint, integer),'
                   ' %I.read_stream_backward(text, bigint, integer), %I.read_all_forward(bigint, integer),'
                   ' %I.subscription_positions(text) TO %I', s, s, s, s, reader);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %I.stream_for_read(text), %I.check_stream_id(text),'
                   ' %I.check_page(bigint, integer), %I.check_subscription_id(text) TO %I', s, s, s, s, reader);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = writer) THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, writer);
    EXECUTE format('GRANT SELECT, INSERT ON %I.events TO %I', s, writer);
    EXECUTE format('GRANT USAGE ON SEQUENCE %I.events_event_id_seq TO %I', s, writer);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.event_streams TO %I', s, writer);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.subscriptions TO %I', s, writer);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', s, writer);
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %I.grant_roles() FROM %I', s, writer);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = cdc) THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, cdc);
    EXECUTE format('GRANT SELECT ON %I.events, %I.event_streams TO %I', s, s, cdc);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.cdc_heartbeat TO %I', s, cdc);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.cdc_offsets TO %I', s, cdc);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.subscriptions, %I.mirror_positions TO %I', s, s, cdc);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %I.record_subscription_position(text, text, bigint, bigint, jsonb),'
                   ' %I.check_stream_id(text), %I.check_subscription_id(text), %I.subscription_positions(text) TO %I',
                   s, s, s, s, cdc);
  END IF;
END
$$;
REVOKE ALL ON FUNCTION grant_roles() FROM PUBLIC;

-- Create the group roles where this migration may, then grant.
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
