-- Who holds a store's bridge lock or mirror lock (see bridge_lock.sql), for the refusal of a second
-- bridge or the wait of a second offset mirror.
-- pg_stat_activity shows the application name and client of another role's session only to members
-- of that role or of pg_read_all_stats; otherwise those columns are NULL.
-- Parameters: 1 = schema name (text), 2 = lock space (bigint).
-- Returns at most one row: pid (int), application_name (text), client_addr (text),
-- client_hostname (text), usename (text), backend_start (timestamptz).
SELECT l.pid,
       a.application_name,
       host(a.client_addr) AS client_addr,
       a.client_hostname,
       a.usename::text AS usename,
       a.backend_start
  FROM pg_catalog.pg_locks l
  JOIN pg_catalog.pg_namespace n ON n.nspname = ?
  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory'
   AND l.granted
   AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
   AND l.classid = ?::bigint::oid
   AND l.objid = n.oid
   AND l.objsubid = 1
 LIMIT 1;
