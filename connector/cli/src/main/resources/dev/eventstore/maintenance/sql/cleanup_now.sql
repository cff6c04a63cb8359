-- The database's clock in UTC: cleanup's ages are measured against it, as the rows' timestamps were.
-- Parameters: none.
SELECT now() AT TIME ZONE 'UTC';
