-- Creates the event store's group roles (NOLOGIN) that do not exist yet, then grants each its
-- privileges through grant_roles() (migration V20240000000006). Needs CREATEROLE.
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
