-- monitor_subscription_lag: how far each subscription (consumer group) is behind, per category,
-- from its subscriptions rows and the streams' versions: what the group has processed of the
-- store, whatever Kafka's offsets say. A group follows a category from its first recorded
-- position there (following_since); it is then expected to see every stream of the category it
-- has a row for, and every stream created since. A stream created before that moment without a
-- row is not counted (a group that started at the latest offset never sees it).
-- Columns: subscription_id, category, following_since, streams_recorded (rows of the group),
-- streams_behind, events_behind (sum over those streams of version minus last seen version),
-- last_recorded_at (newest position written), oldest_unprocessed_at (created_at of the oldest
-- event the group has not processed; NULL when caught up), lag_seconds (its age; 0 when caught up).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations and the
-- functions (R__1_*), with search_path set to the event store schema. CREATE OR REPLACE VIEW
-- keeps the view's grants and may only add columns at the end.

CREATE OR REPLACE VIEW monitor_subscription_lag AS
WITH followed AS (
  SELECT sub.subscription_id, stream_category(sub.stream_id) AS category, min(sub.created_at) AS following_since
    FROM subscriptions sub
   GROUP BY 1, 2
), positions AS (
  SELECT f.subscription_id, f.category, f.following_since, st.stream_id, st.stream_version,
         sub.last_seen_stream_version, sub.updated_at
    FROM followed f
    JOIN event_streams st ON stream_category(st.stream_id) = f.category
    LEFT JOIN subscriptions sub ON sub.subscription_id = f.subscription_id AND sub.stream_id = st.stream_id
   WHERE sub.stream_id IS NOT NULL OR st.created_at >= f.following_since
)
SELECT p.subscription_id,
       p.category,
       min(p.following_since) AS following_since,
       count(p.last_seen_stream_version) AS streams_recorded,
       count(*) FILTER (WHERE p.stream_version > coalesce(p.last_seen_stream_version, 0)) AS streams_behind,
       coalesce(sum(greatest(p.stream_version - coalesce(p.last_seen_stream_version, 0), 0)), 0)::bigint AS events_behind,
       max(p.updated_at) AS last_recorded_at,
       min(e.created_at) AS oldest_unprocessed_at,
       coalesce(extract(epoch FROM (now() AT TIME ZONE 'UTC') - min(e.created_at)), 0)::double precision AS lag_seconds
  FROM positions p
  LEFT JOIN events e
         ON e.stream_id = p.stream_id
        AND e.stream_version = coalesce(p.last_seen_stream_version, 0) + 1
        AND p.stream_version > coalesce(p.last_seen_stream_version, 0)
 GROUP BY 1, 2
 ORDER BY 1, 2;
