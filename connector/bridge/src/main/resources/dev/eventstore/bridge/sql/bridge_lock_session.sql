-- Prepares the bridge lock's session: its application_name (shown to whoever is refused), and TCP
-- keepalives so that PostgreSQL notices a vanished host (power loss, partition) within about 25 s
-- and ends the session, releasing the lock for a standby bridge; the operating system's defaults
-- would take over two hours. Ignored on Unix-domain sockets.
-- Parameters: 1 = application name (text).
SELECT pg_catalog.set_config('application_name', ?, false),
       pg_catalog.set_config('tcp_keepalives_idle', '10', false),
       pg_catalog.set_config('tcp_keepalives_interval', '5', false),
       pg_catalog.set_config('tcp_keepalives_count', '3', false),
       pg_catalog.set_config('tcp_user_timeout', '25000', false);
