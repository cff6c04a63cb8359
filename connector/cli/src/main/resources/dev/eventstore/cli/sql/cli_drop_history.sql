-- The versions of the successful migrations recorded in an event store schema's Flyway history,
-- for `eventstore drop` to recognise a schema this product created.
-- Parameters: none (${schema} is the validated schema, which holds flyway_schema_history).
-- Returns: version (text), script (text), one row per successful versioned migration.
SELECT version, script
  FROM ${schema}.flyway_schema_history
 WHERE success AND version IS NOT NULL;
