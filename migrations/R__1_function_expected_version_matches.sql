-- expected_version_matches(p_expected_version bigint, p_exists boolean, p_version bigint)
--   RETURNS boolean
-- Whether a stream that exists (p_exists) at p_version satisfies the expected version.
-- Errors: none.
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION expected_version_matches(p_expected_version bigint, p_exists boolean, p_version bigint)
  RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
  SELECT CASE
           WHEN p_expected_version = -1 THEN true
           WHEN p_expected_version = -2 THEN NOT p_exists
           WHEN p_expected_version = -3 THEN p_exists
           ELSE p_version = p_expected_version
         END;
$$;
