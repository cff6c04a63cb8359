-- record_audit(p_command text, p_arguments text[], p_details jsonb, p_os_user text,
--              p_client_host text) RETURNS bigint
-- Writes one audit row and returns its audit_id. Who and when come from the session, never from
-- the caller: db_user is the role the caller acts as (the role of SET ROLE, which PostgreSQL only
-- lets a member set, else the session user), session_user_name the login, occurred_at the
-- transaction's start in UTC. The caller gives what only it knows: the command, its arguments
-- (secrets already masked), what it did, and the operating-system account and host it reports.
-- Errors: ZE006 (command empty, over 64 characters or with control characters; os user or
--         client host over 255 characters).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION record_audit(p_command text, p_arguments text[], p_details jsonb, p_os_user text,
                             p_client_host text)
  RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_role text := pg_catalog.current_setting('role');
  v_id bigint;
BEGIN
  IF p_command IS NULL OR p_command !~ '\S' OR char_length(p_command) > 64
     OR p_command ~ '[\u0001-\u001f\u007f-\u009f]' THEN
    RAISE EXCEPTION 'invalid audit command: it must be 1 to 64 characters without control characters'
      USING ERRCODE = 'ZE006';
  END IF;
  IF char_length(p_os_user) > 255 OR char_length(p_client_host) > 255 THEN
    RAISE EXCEPTION 'invalid audit row: the os user and client host are at most 255 characters'
      USING ERRCODE = 'ZE006';
  END IF;
  INSERT INTO audit_log (occurred_at, db_user, session_user_name, os_user, client_host, command, arguments, details)
  VALUES ((now() AT TIME ZONE 'UTC'),
          CASE WHEN v_role IS NULL OR v_role = 'none' THEN session_user::text ELSE v_role END,
          session_user, p_os_user, p_client_host, p_command, coalesce(p_arguments, '{}'), p_details)
  RETURNING audit_id INTO v_id;
  RETURN v_id;
END;
$$;
