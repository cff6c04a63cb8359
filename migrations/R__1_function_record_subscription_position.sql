-- record_subscription_position(p_subscription_id text, p_stream_id text, p_event_id bigint,
--                              p_stream_version bigint, p_metadata jsonb) RETURNS boolean
-- Creates or moves forward the position of a subscription (a consumer group) in a stream: the
-- last event it has seen and, in p_metadata, e.g. the Kafka topic, partition and offset of that
-- event. Rows only move forward: a position whose stream version is not greater than the
-- recorded one changes nothing (metadata included) and returns false; otherwise returns true.
-- A position that moved sends a notification on channel eventstore_progress with the payload
-- '<schema>:consumed:<subscription id>', delivered when the transaction commits.
-- When it creates a group's first row and the group has no owner yet, the session user becomes
-- the group's owner in subscription_owners (see may_manage_subscription). Once a group has an
-- owner, only that role's members, administrators and the bridge's role (<schema>_cdc: the offset
-- mirror records every group) may record its positions; anyone else gets 42501. A group owned by
-- a login of the bridge's role (the mirror recorded it first) stays open to every login; a
-- superuser counts as the bridge's role only when it records, not as an owner. SECURITY DEFINER: the
-- writer and the bridge have no write access to subscriptions themselves.
-- Errors: ZE006 (subscription id; event id or stream version below 1), ZE004 (stream id),
--         42501 (the group belongs to another role),
--         23503 fk_subscriptions_stream (the stream does not exist).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

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
  v_owner text;
BEGIN
  PERFORM check_subscription_id(p_subscription_id);
  PERFORM check_stream_id(p_stream_id);
  -- A group's positions are its owner's: another login moving them would skip events for the
  -- group (its exactly-once applier resumes after them) and end its waits early.
  SELECT o.owner_role INTO v_owner FROM subscription_owners o WHERE o.subscription_id = p_subscription_id;
  -- The bridge's role records every group (the offset mirror), and a group it recorded first is
  -- not closed to the application that consumes it.
  IF v_owner IS NOT NULL AND NOT may_manage_subscription(p_subscription_id)
     AND NOT (EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = '${flyway:defaultSchema}_cdc')
              AND (pg_catalog.pg_has_role(session_user, '${flyway:defaultSchema}_cdc', 'MEMBER')
                   OR (EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = v_owner AND NOT r.rolsuper)
                       AND pg_catalog.pg_has_role(v_owner, '${flyway:defaultSchema}_cdc', 'MEMBER')))) THEN
    RAISE EXCEPTION 'login % may not record positions of subscription %: they belong to role %',
      session_user, p_subscription_id, v_owner
      USING ERRCODE = '42501';
  END IF;
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
  -- Wakes EventStore.awaitConsumed's listeners at commit (one per transaction and group: the
  -- server folds identical notifications of a transaction into one).
  PERFORM pg_notify('eventstore_progress', '${flyway:defaultSchema}:consumed:' || p_subscription_id);
  IF v_inserted THEN
    -- A new row: the group may be new too.
    INSERT INTO subscription_owners (subscription_id, owner_role, recorded_at)
    VALUES (p_subscription_id, session_user, v_now)
    ON CONFLICT (subscription_id) DO NOTHING;
  END IF;
  RETURN true;
END;
$$;
