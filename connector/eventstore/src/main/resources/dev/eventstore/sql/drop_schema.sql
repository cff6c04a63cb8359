-- Removes the event store schema and every object in it (`eventstore drop --force`).
-- Parameters: none (${schema} is the validated event store schema).
DROP SCHEMA IF EXISTS ${schema} CASCADE;
