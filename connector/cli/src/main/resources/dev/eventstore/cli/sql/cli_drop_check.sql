-- What `eventstore drop` checks before it drops a schema: that the schema is an event store this
-- product created, and that the current role may drop it.
-- Parameters: 1 = schema name (text), 2 = schema name (text), 3 = schema name (text),
--             4 = schema name (text).
-- Returns one row: schema_exists (boolean), owned (boolean: the current role owns the schema or is a
-- member of its owner, which DROP SCHEMA requires), owner (text), has_history (boolean: the
-- schema holds Flyway's flyway_schema_history), has_tables (boolean: events, event_streams and
-- subscriptions all exist).
SELECT n.oid IS NOT NULL AS schema_exists,
       COALESCE(pg_catalog.pg_has_role(current_user, n.nspowner, 'MEMBER'), false) AS owned,
       pg_catalog.pg_get_userbyid(n.nspowner) AS owner,
       EXISTS (SELECT 1 FROM pg_catalog.pg_tables
                WHERE schemaname = ? AND tablename = 'flyway_schema_history') AS has_history,
       (SELECT count(*) FROM pg_catalog.pg_tables
         WHERE schemaname = ? AND tablename IN ('events', 'event_streams', 'subscriptions')) = 3 AS has_tables
  FROM (SELECT ?::text AS name) AS wanted
  LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = wanted.name
 WHERE ?::text IS NOT NULL;
