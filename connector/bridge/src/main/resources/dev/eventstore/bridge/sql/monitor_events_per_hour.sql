-- Events per category per hour over the view's window (the current hour and the 47 before).
-- Parameters: none (${schema} is the validated event store schema).
SELECT hour, category, events FROM ${schema}.monitor_events_per_hour;
