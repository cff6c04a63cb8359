-- subscription_positions(p_subscription_id text) RETURNS SETOF subscriptions
-- Every recorded position of a subscription, by stream id.
-- Errors: ZE006 (subscription id).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION subscription_positions(p_subscription_id text)
  RETURNS SETOF subscriptions
  LANGUAGE plpgsql STABLE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  PERFORM check_subscription_id(p_subscription_id);
  RETURN QUERY
    SELECT s.* FROM subscriptions s WHERE s.subscription_id = p_subscription_id ORDER BY s.stream_id;
END;
$$;
