-- The bridge's group role may write audit rows: `republish` and `replay` run with the bridge's
-- settings (its login, a member of <schema>_cdc) and record themselves in audit_log like the
-- owner's commands do. INSERT only, and SELECT of audit_id alone (the insert returns it): the
-- role can add a row but neither read nor change what is there.
--
-- As V20240000000007 did, grant_roles() is renamed grant_roles_v7() and wrapped by a new
-- grant_roles() that calls it and then grants the above, so that `eventstore roles` and this
-- migration grant everything through the one entry point.

ALTER FUNCTION grant_roles() RENAME TO grant_roles_v7;

-- grant_roles(): grants each existing group role exactly its privileges; idempotent.
-- Parameters: none. Errors: none (roles that do not exist are skipped).
CREATE FUNCTION grant_roles() RETURNS void
  LANGUAGE plpgsql
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  s text := '${flyway:defaultSchema}';
  writer text := s || '_writer';
  cdc text := s || '_cdc';
BEGIN
  PERFORM grant_roles_v7();
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = cdc) THEN
    EXECUTE format('GRANT INSERT, SELECT (audit_id) ON %I.audit_log TO %I', s, cdc);
    EXECUTE format('GRANT USAGE ON SEQUENCE %I.audit_log_audit_id_seq TO %I', s, cdc);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = writer) THEN
    -- The writer's EXECUTE on every function (grant_roles_v6) reached the wrapped function too.
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %I.grant_roles_v7() FROM %I', s, writer);
  END IF;
END
$$;
REVOKE ALL ON FUNCTION grant_roles() FROM PUBLIC;
REVOKE ALL ON FUNCTION grant_roles_v7() FROM PUBLIC;

DO $$
BEGIN
  PERFORM grant_roles();
END
$$;
