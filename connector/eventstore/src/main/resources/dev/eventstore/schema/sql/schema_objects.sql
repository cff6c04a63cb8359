-- The objects of a schema, as `eventstore drop` lists them before removing them.
-- Parameters: 1, 2, 3 = schema name (text).
-- Returns: kind, name, ordered by kind and name.
SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
                      WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' END AS kind,
       c.relname AS name
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ?
   AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
       p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = ?
UNION ALL
SELECT 'publication', pubname
  FROM pg_catalog.pg_publication
 WHERE pubname = ? || '_events'
ORDER BY 1, 2;
