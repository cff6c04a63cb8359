-- Privileges on the operations objects (V20240000000004 monitoring views, V20240000000005
-- cdc_checkpoints and audit_log) for the group roles of V20240000000006.
--
-- grant_roles() of V20240000000006 grants the objects it knew. It is renamed grant_roles_v6()
-- and wrapped by a new grant_roles() that calls it and then grants the objects above, so that
-- `eventstore roles` and this migration grant everything through the one entry point:
--   <schema>_reader  SELECT on the monitoring views (dashboards, `eventstore status`);
--   <schema>_cdc     SELECT on the monitoring views the bridge's monitor loop reads (slot state,
--                    store gauges), and SELECT, INSERT, UPDATE, DELETE on cdc_checkpoints (its
--                    publish checkpoint; run --reset-offsets deletes it);
--   <schema>_writer  nothing more (it may not run either grant function).
-- stream_category(text), which the views call, needs EXECUTE for whoever reads them.
-- audit_log stays the owner's: cleanup and the other administrative commands run as the owner.

ALTER FUNCTION grant_roles() RENAME TO grant_roles_v6;

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
  PERFORM grant_roles_v6();
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = reader) THEN
    EXECUTE format('GRANT SELECT ON %I.monitor_events_per_hour, %I.monitor_streams_per_category,'
                   ' %I.monitor_subscription_lag, %I.monitor_replication_slots, %I.monitor_largest_streams,'
                   ' %I.monitor_table_sizes TO %I', s, s, s, s, s, s, reader);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %I.stream_category(text) TO %I', s, reader);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = cdc) THEN
    EXECUTE format('GRANT SELECT ON %I.monitor_replication_slots, %I.monitor_streams_per_category,'
                   ' %I.monitor_subscription_lag TO %I', s, s, s, cdc);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.cdc_checkpoints TO %I', s, cdc);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %I.stream_category(text) TO %I', s, cdc);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = writer) THEN
    -- grant_roles_v6() granted the writer EXECUTE on every function of the schema, then took
    -- back grant_roles() (now this wrapper); take back the function it has become as well.
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %I.grant_roles_v6() FROM %I', s, writer);
  END IF;
END
$$;
REVOKE ALL ON FUNCTION grant_roles() FROM PUBLIC;
REVOKE ALL ON FUNCTION grant_roles_v6() FROM PUBLIC;

DO $$
BEGIN
  PERFORM grant_roles();
END
$$;
