-- Row counts of the event store tables: what reset would delete.
-- Parameters: none (${schema} is the validated event store schema).
-- Returns one row: events, streams, subscriptions.
SELECT (SELECT count(*) FROM ${schema}.events)        AS events,
       (SELECT count(*) FROM ${schema}.event_streams) AS streams,
       (SELECT count(*) FROM ${schema}.subscriptions) AS subscriptions;
