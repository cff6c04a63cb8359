-- Removes the event store schema and every object in it (`eventstore drop --force`), and the
-- publication the change-data-capture migration created for it (publications belong to the
-- database, so dropping the schema alone would leave it behind).
-- Parameters: none (${schema} is the validated event store schema).
DROP PUBLICATION IF EXISTS ${schema}_events;
DROP SCHEMA IF EXISTS ${schema} CASCADE;
