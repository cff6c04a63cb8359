-- Least privilege that holds: the writer and the bridge write only through functions that
-- validate, with the owner's rights (SECURITY DEFINER) and a pinned search_path.
--
--   <schema>_writer  SELECT on events, event_streams and subscriptions; no INSERT, UPDATE or
--                    DELETE on any table, no sequence. It appends with append_event (one event,
--                    one round trip) and append_to_stream (a batch), soft-deletes with
--                    delete_stream, keeps positions with record_subscription_position and removes
--                    those of its own groups with delete_subscription. Each of those functions is
--                    SECURITY DEFINER, validates every argument, takes event ids from the sequence
--                    and timestamps from the server clock in UTC: an event id, a version, a
--                    created_at or a deleted_at can no longer be chosen by the caller.
--   <schema>_cdc     writes no audit row directly: record_audit() takes who (session_user, and the
--                    role set by SET ROLE) and when from the session. Its writes to subscriptions go
--                    through record_subscription_position (the offset mirror uses the library).
--   <schema>_reader  unchanged: reads.
--
-- Ownership of a subscription (a consumer group): subscription_owners records, for each
-- subscription id, the session user (login role) that first recorded a position of it.
-- delete_subscription removes positions only for a session user that is that role or a member
-- of it, or an administrator (a member of the role that owns the schema). A group without an
-- owner row (positions recorded before this migration) is administrators' only; an
-- administrator assigns one with INSERT INTO subscription_owners, and may name a group role
-- there so that every login of that group may delete. The specification's tables are unchanged.
--
-- grant_roles() is defined here in full: it revokes everything from the three group roles and
-- grants exactly what they need; grant_roles_v6() and grant_roles_v7() are dropped.
--
-- Time zone: the functions write (now() AT TIME ZONE 'UTC') whatever the session's TimeZone.
-- The column defaults (now(), the specification's) depend on the session's TimeZone, but no
-- group role may INSERT into the specified tables any more, so only the owner's hand-written
-- SQL can reach them (docs/operations.md, "Roles and privileges").


-- subscription_owners: who may delete a subscription's positions (see above).
-- Columns: subscription_id, owner_role (a role name: the login that first recorded a position,
-- or whatever an administrator wrote), recorded_at (UTC).
CREATE TABLE subscription_owners (
  subscription_id text NOT NULL,
  owner_role text NOT NULL,
  recorded_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  CONSTRAINT pk_subscription_owners PRIMARY KEY (subscription_id)
);


-- append_to_stream (V20240000000009) runs with the owner's rights: the writer has no INSERT on
-- events and no UPDATE on event_streams. It validates every argument and pins its search_path.
ALTER FUNCTION append_to_stream(text, bigint, text[], integer[], jsonb[], jsonb[]) SECURITY DEFINER;

-- delete_stream (V20240000000001) likewise: deleted_at is always the server's time, UTC.
ALTER FUNCTION delete_stream(text, bigint) SECURITY DEFINER;


-- append_event(p_stream_id text, p_expected_version bigint, p_event_type text,
--              p_event_version integer, p_data jsonb, p_metadata jsonb)
--   RETURNS TABLE (new_event_id bigint, new_version bigint)
-- Appends one event in one call. When every argument is valid and the stream exists, is not
-- deleted and satisfies the expected version, one statement advances (and locks) the stream's
-- row and inserts the event, exactly as append_to_stream writes one event (same lock, same UTC
-- created_at and updated_at). Otherwise it calls append_to_stream with the one event, which
-- creates the stream or raises the error (the one source of append errors and their wording).
-- p_event_version NULL means 1; p_metadata may be NULL.
-- Errors: those of append_to_stream (ZE001, ZE002, ZE004, ZE005, ZE006).
CREATE FUNCTION append_event(
    p_stream_id text,
    p_expected_version bigint,
    p_event_type text,
    p_event_version integer,
    p_data jsonb,
    p_metadata jsonb)
  RETURNS TABLE (new_event_id bigint, new_version bigint)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_id bigint;
  v_version bigint;
BEGIN
  IF p_expected_version IN (-1, -3) OR p_expected_version >= 0 THEN
    IF char_length(p_stream_id) <= 255 AND p_stream_id ~ '\S' AND p_stream_id !~ '[\u0001-\u001f\u007f-\u009f]'
       AND char_length(p_event_type) <= 255 AND p_event_type ~ '\S'
       AND p_event_type !~ '[\u0001-\u001f\u007f-\u009f]'
       AND coalesce(p_event_version, 1) >= 1 AND p_data IS NOT NULL THEN
      WITH advanced AS (
        UPDATE event_streams s
           SET stream_version = s.stream_version + 1, updated_at = (now() AT TIME ZONE 'UTC')
         WHERE s.stream_id = p_stream_id AND s.deleted_at IS NULL
           AND (p_expected_version < 0 OR s.stream_version = p_expected_version)
        RETURNING s.stream_id, s.stream_version)
      INSERT INTO events (stream_id, stream_version, event_type, event_version, data, metadata, created_at)
      SELECT a.stream_id, a.stream_version, p_event_type, coalesce(p_event_version, 1), p_data, p_metadata,
             (now() AT TIME ZONE 'UTC')
        FROM advanced a
      RETURNING events.event_id, events.stream_version INTO v_id, v_version;
      IF v_id IS NOT NULL THEN
        new_event_id := v_id;
        new_version := v_version;
        RETURN NEXT;
        RETURN;
      END IF;
    END IF;
  END IF;
  SELECT r.event_ids[1], r.last_version INTO v_id, v_version
    FROM append_to_stream(p_stream_id, p_expected_version, ARRAY[p_event_type], ARRAY[p_event_version],
                          ARRAY[p_data], ARRAY[p_metadata]) r;
  new_event_id := v_id;
  new_version := v_version;
  RETURN NEXT;
END;
$$;


-- record_subscription_position: as in V20240000000001 (same parameters, result and errors), with
-- the owner's rights, and the session user recorded as the group's owner when the group has none.
CREATE OR REPLACE FUNCTION record_subscription_position(
    p_subscription_id text,
    p_stream_id text,
    p_event_id bigint,
    p_stream_version bigint,
    p_metadata jsonb)
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_now timestamp := (now() AT TIME ZONE 'UTC');
  v_inserted boolean;
BEGIN
  PERFORM check_subscription_id(p_subscription_id);
  PERFORM check_stream_id(p_stream_id);
  IF p_event_id IS NULL OR p_event_id < 1 OR p_stream_version IS NULL OR p_stream_version < 1 THEN
    RAISE EXCEPTION 'invalid subscription position: event id % and stream version % must be 1 or more',
      coalesce(p_event_id::text, 'NULL'), coalesce(p_stream_version::text, 'NULL')
      USING ERRCODE = 'ZE006';
  END IF;
  INSERT INTO subscriptions AS s
         (subscription_id, stream_id, last_seen_event_id, last_seen_stream_version, created_at, updated_at, metadata)
  VALUES (p_subscription_id, p_stream_id, p_event_id, p_stream_version, v_now, v_now, p_metadata)
  ON CONFLICT (subscription_id, stream_id) DO UPDATE
     SET last_seen_event_id = EXCLUDED.last_seen_event_id,
         last_seen_stream_version = EXCLUDED.last_seen_stream_version,
         updated_at = EXCLUDED.updated_at,
         metadata = EXCLUDED.metadata
   WHERE s.last_seen_stream_version IS NULL
      OR s.last_seen_stream_version < EXCLUDED.last_seen_stream_version
  RETURNING (s.xmax = 0) INTO v_inserted;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF v_inserted THEN
    -- A new row: the group may be new too.
    INSERT INTO subscription_owners (subscription_id, owner_role, recorded_at)
    VALUES (p_subscription_id, session_user, v_now)
    ON CONFLICT (subscription_id) DO NOTHING;
  END IF;
  RETURN true;
END;
$$;


-- may_manage_subscription(p_subscription_id text) RETURNS boolean
-- Whether the session user may delete the positions of the subscription: it is (or is a member
-- of) the role subscription_owners names, or of the role that owns the schema (administrators,
-- superusers included).
-- Errors: none.
CREATE FUNCTION may_manage_subscription(p_subscription_id text) RETURNS boolean
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_owner text;
BEGIN
  IF pg_catalog.pg_has_role(session_user,
       (SELECT n.nspowner FROM pg_catalog.pg_namespace n WHERE n.nspname = '${flyway:defaultSchema}'), 'MEMBER') THEN
    RETURN true;
  END IF;
  SELECT o.owner_role INTO v_owner FROM subscription_owners o WHERE o.subscription_id = p_subscription_id;
  IF v_owner IS NULL OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = v_owner) THEN
    RETURN false;
  END IF;
  RETURN pg_catalog.pg_has_role(session_user, v_owner, 'MEMBER');
END;
$$;


-- delete_subscription(p_subscription_id text, p_stream_id text) RETURNS integer
-- As in V20240000000001: deletes a subscription's position in one stream, or in every stream
-- when p_stream_id is NULL, and returns the number of rows deleted. Refused unless the session
-- user may manage the subscription (may_manage_subscription); a subscription with no positions
-- deletes nothing and returns 0 for anyone. Deleting every position of a group keeps its owner.
-- Errors: ZE006 (subscription id), ZE004 (a non-NULL stream id that is invalid),
--         42501 (the subscription belongs to another role).
CREATE OR REPLACE FUNCTION delete_subscription(p_subscription_id text, p_stream_id text)
  RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_deleted integer;
BEGIN
  PERFORM check_subscription_id(p_subscription_id);
  IF p_stream_id IS NOT NULL THEN
    PERFORM check_stream_id(p_stream_id);
  END IF;
  IF NOT may_manage_subscription(p_subscription_id)
     AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscription_id = p_subscription_id) THEN
    RAISE EXCEPTION 'subscription % belongs to role %: role % may not delete its positions',
      quote_literal(p_subscription_id),
      coalesce((SELECT quote_ident(o.owner_role) FROM subscription_owners o WHERE o.subscription_id = p_subscription_id),
               'none (administrators only)'),
      quote_ident(session_user)
      USING ERRCODE = '42501';
  END IF;
  DELETE FROM subscriptions s
   WHERE s.subscription_id = p_subscription_id
     AND (p_stream_id IS NULL OR s.stream_id = p_stream_id);
  GET DIAGNOSTICS v_deleted = ROW_COUNT;
  RETURN v_deleted;
END;
$$;


-- record_audit(p_command text, p_arguments text[], p_details jsonb, p_os_user text,
--              p_client_host text) RETURNS bigint
-- Writes one audit row and returns its audit_id. Who and when come from the session, never from
-- the caller: db_user is the role the caller acts as (the role of SET ROLE, which PostgreSQL only
-- lets a member set, else the session user), session_user_name the login, occurred_at the
-- transaction's start in UTC. The caller gives what only it knows: the command, its arguments
-- (secrets already masked), what it did, and the operating-system account and host it reports.
-- Errors: ZE006 (command empty, over 64 characters or with control characters; os user or
--         client host over 255 characters).
CREATE FUNCTION record_audit(p_command text, p_arguments text[], p_details jsonb, p_os_user text,
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


-- grant_roles(): revokes everything from each existing group role, then grants it exactly its
-- privileges; idempotent. Functions created later get no EXECUTE for PUBLIC either.
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
      EXECUTE format('GRANT SELECT ON %I.events, %I.event_streams, %I.subscriptions TO %I', s, s, s, r);
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
                   ' %I.delete_stream(text, bigint),'
                   ' %I.record_subscription_position(text, text, bigint, bigint, jsonb),'
                   ' %I.delete_subscription(text, text), %I.may_manage_subscription(text) TO %I',
                   s, s, s, s, s, s, s, s, s, writer);
  END IF;

  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = cdc) THEN
    EXECUTE format('GRANT SELECT ON SEQUENCE %I.events_event_id_seq TO %I', s, cdc);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.cdc_heartbeat, %I.mirror_positions TO %I', s, s, cdc);
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

DROP FUNCTION grant_roles_v7();
DROP FUNCTION grant_roles_v6();

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ${flyway:defaultSchema} FROM PUBLIC;

DO $$
BEGIN
  PERFORM grant_roles();
END
$$;
