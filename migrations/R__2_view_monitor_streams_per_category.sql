-- monitor_streams_per_category: stream counts and sizes per category, from event_streams (a
-- stream's version is its number of events, so no event is read).
-- Columns: category, streams (all, soft-deleted included), deleted_streams (soft-deleted, whose
-- events stay until a hard delete), events (sum of the streams' versions), largest_stream_events,
-- average_stream_events (numeric, one decimal), last_updated_at (newest append or soft delete).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations and the
-- functions (R__1_*), with search_path set to the event store schema. CREATE OR REPLACE VIEW
-- keeps the view's grants and may only add columns at the end.

CREATE OR REPLACE VIEW monitor_streams_per_category AS
SELECT stream_category(s.stream_id) AS category,
       count(*) AS streams,
       count(*) FILTER (WHERE s.deleted_at IS NOT NULL) AS deleted_streams,
       coalesce(sum(s.stream_version), 0)::bigint AS events,
       coalesce(max(s.stream_version), 0) AS largest_stream_events,
       round(coalesce(avg(s.stream_version), 0), 1) AS average_stream_events,
       max(s.updated_at) AS last_updated_at
  FROM event_streams s
 GROUP BY 1
 ORDER BY 1;
