-- monitor_events_per_hour: events appended per category per hour (UTC), over the current hour
-- and the 47 before it. Hours without events have no row. The window keeps the query on the
-- created_at index, so polling it never reads the whole events table; long-term history belongs
-- in Prometheus (rate of eventstore_bridge_category_events).
-- Columns: hour (timestamp, start of the hour), category, events (bigint).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations and the
-- functions (R__1_*), with search_path set to the event store schema. CREATE OR REPLACE VIEW
-- keeps the view's grants and may only add columns at the end.

CREATE OR REPLACE VIEW monitor_events_per_hour AS
SELECT date_trunc('hour', e.created_at) AS hour,
       stream_category(e.stream_id) AS category,
       count(*) AS events
  FROM events e
 WHERE e.created_at >= date_trunc('hour', now() AT TIME ZONE 'UTC') - interval '47 hours'
 GROUP BY 1, 2
 ORDER BY 1 DESC, 2;
