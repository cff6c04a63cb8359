-- check_expected_version(p_expected_version bigint) RETURNS void
-- Refuses NULL and encodings below -3. The expected version encoding (bigint), shared by
-- append_to_stream, append_event and delete_stream:
--   -1  ANY            no check
--   -2  NO_STREAM      the stream must not exist
--   -3  STREAM_EXISTS  the stream must exist (with or without events)
--   n >= 0             the stream's version must be exactly n (0: no events yet, or no stream)
-- Errors: ZE006.
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION check_expected_version(p_expected_version bigint) RETURNS void
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  IF p_expected_version IS NULL OR p_expected_version < -3 THEN
    RAISE EXCEPTION 'invalid expected version %: use -1 (any), -2 (no stream), -3 (stream exists) or a version >= 0',
      coalesce(p_expected_version::text, 'NULL') USING ERRCODE = 'ZE006';
  END IF;
END;
$$;
