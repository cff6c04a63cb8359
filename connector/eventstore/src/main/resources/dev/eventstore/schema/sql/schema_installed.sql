-- Whether the event store's tables exist in a schema.
-- Parameters: 1 = schema name (text).
-- Returns one row: installed (boolean), true when events, event_streams and subscriptions all exist.
SELECT count(*) = 3 AS installed
  FROM pg_catalog.pg_tables
 WHERE schemaname = ?
   AND tablename IN ('events', 'event_streams', 'subscriptions');
