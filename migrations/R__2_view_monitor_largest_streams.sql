-- monitor_largest_streams: the 100 streams with the most events, largest first (ties by id).
-- Columns: stream_id, category, events (its version), created_at, updated_at, deleted_at.
--
-- Flyway runs this file again whenever it changes, after the versioned migrations and the
-- functions (R__1_*), with search_path set to the event store schema. CREATE OR REPLACE VIEW
-- keeps the view's grants and may only add columns at the end.

CREATE OR REPLACE VIEW monitor_largest_streams AS
SELECT s.stream_id,
       stream_category(s.stream_id) AS category,
       s.stream_version AS events,
       s.created_at,
       s.updated_at,
       s.deleted_at
  FROM event_streams s
 ORDER BY s.stream_version DESC, s.stream_id
 LIMIT 100;
