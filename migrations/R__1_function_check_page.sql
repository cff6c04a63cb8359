-- check_page(p_position bigint, p_max_count integer) RETURNS void
-- Refuses a negative or NULL start position and a page size below 1.
-- Errors: ZE006.
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION check_page(p_position bigint, p_max_count integer) RETURNS void
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  IF p_position IS NULL OR p_position < 0 THEN
    RAISE EXCEPTION 'invalid read position %: must be 0 or more', coalesce(p_position::text, 'NULL')
      USING ERRCODE = 'ZE006';
  END IF;
  IF p_max_count IS NULL OR p_max_count < 1 THEN
    RAISE EXCEPTION 'invalid max count %: must be 1 or more', coalesce(p_max_count::text, 'NULL')
      USING ERRCODE = 'ZE006';
  END IF;
END;
$$;
