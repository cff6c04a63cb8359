-- Run on every new pooled connection (HikariCP connectionInitSql): the store's sessions run in
-- UTC, so that any timestamp PostgreSQL renders or derives from now() agrees with the UTC values
-- the functions write into the timestamp-without-time-zone columns.
-- Parameters: none.
SET TIME ZONE 'UTC';
