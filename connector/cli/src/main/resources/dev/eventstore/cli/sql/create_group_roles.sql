-- Creates the event store's group roles (NOLOGIN) that do not exist yet, grants each its
-- privileges through grant_roles() (migration V20240000000012), and sets TimeZone = 'UTC' as the
-- default of every login role that is a member of one of them (not superusers): a session that
-- names no time zone of its own (psql without PGTZ) then renders and derives timestamps in UTC,
-- like the columns. A client that sends its own TimeZone at connection start (the PostgreSQL JDBC
-- driver sends the JVM's) overrides this default; the store's functions write UTC either way.
-- A login this role may not alter is skipped with a WARNING. Needs CREATEROLE.
-- Parameters: none (${schema} is the validated event store schema).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${schema}_reader') THEN
    CREATE ROLE ${schema}_reader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${schema}_writer') THEN
    CREATE ROLE ${schema}_writer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${schema}_cdc') THEN
    CREATE ROLE ${schema}_cdc NOLOGIN;
  END IF;
END
$$;
SELECT ${schema}.grant_roles();
DO $$
DECLARE
  login text;
BEGIN
  FOR login IN
    SELECT DISTINCT m.rolname
      FROM pg_catalog.pg_auth_members a
      JOIN pg_catalog.pg_roles g ON g.oid = a.roleid
      JOIN pg_catalog.pg_roles m ON m.oid = a.member
     WHERE g.rolname IN ('${schema}_reader', '${schema}_writer', '${schema}_cdc')
       AND m.rolcanlogin AND NOT m.rolsuper
     ORDER BY 1
  LOOP
    BEGIN
      -- In this database only: the logins may also use other databases of the cluster.
      EXECUTE format('ALTER ROLE %I IN DATABASE %I SET TimeZone = %L', login, current_database(), 'UTC');
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE WARNING 'TimeZone of login role % not set: %', login, SQLERRM;
    END;
  END LOOP;
END
$$;
