-- delete_subscription(p_subscription_id text, p_stream_id text) RETURNS integer
-- Deletes a subscription's position in one stream, or in every stream when p_stream_id is NULL,
-- and returns the number of rows deleted. Refused unless the session user may manage the
-- subscription (may_manage_subscription); a subscription with no positions deletes nothing and
-- returns 0 for anyone. Deleting every position of a group keeps its owner. SECURITY DEFINER.
-- Errors: ZE006 (subscription id), ZE004 (a non-NULL stream id that is invalid),
--         42501 (the subscription belongs to another role).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

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
