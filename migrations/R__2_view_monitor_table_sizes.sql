-- monitor_table_sizes: disk used by each table of the store (heap, indexes and TOAST) and the
-- planner's row estimate (reltuples, refreshed by ANALYZE and autovacuum: cheap, approximate).
-- Columns: table_name, total_bytes, table_bytes, index_bytes, estimated_rows (-1: never analysed).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations and the
-- functions (R__1_*), with search_path set to the event store schema. CREATE OR REPLACE VIEW
-- keeps the view's grants and may only add columns at the end.

CREATE OR REPLACE VIEW monitor_table_sizes AS
SELECT c.relname::text AS table_name,
       pg_catalog.pg_total_relation_size(c.oid) AS total_bytes,
       pg_catalog.pg_table_size(c.oid) AS table_bytes,
       pg_catalog.pg_indexes_size(c.oid) AS index_bytes,
       c.reltuples::bigint AS estimated_rows
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = '${flyway:defaultSchema}'::regnamespace
   AND c.relkind IN ('r', 'p')
 ORDER BY 2 DESC, 1;
