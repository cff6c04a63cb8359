-- Which PostgreSQL server and database this is: the system identifier is set by initdb and
-- differs between servers (a pg_dump restored elsewhere lands on another one), the database
-- name tells databases of one server apart.
-- Parameters: none.
SELECT system_identifier, pg_catalog.current_database() AS database_name FROM pg_catalog.pg_control_system();
