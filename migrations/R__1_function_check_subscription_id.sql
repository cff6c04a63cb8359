-- check_subscription_id(p_subscription_id text) RETURNS void
-- A subscription id (a Kafka consumer group id) must be non-empty, not only whitespace, at most
-- 255 characters, without control characters.
-- Errors: ZE006.
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION check_subscription_id(p_subscription_id text) RETURNS void
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  IF p_subscription_id IS NULL OR p_subscription_id !~ '\S' OR char_length(p_subscription_id) > 255
     OR p_subscription_id ~ '[\u0001-\u001f\u007f-\u009f]' THEN
    RAISE EXCEPTION 'invalid subscription id: it must be 1 to 255 characters, not only whitespace, without control characters'
      USING ERRCODE = 'ZE006';
  END IF;
END;
$$;
