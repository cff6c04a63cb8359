-- Monitoring views: what an operator queries, or points a dashboard at, to watch the store.
-- `eventstore status` and the bridge's /metrics read these same views, so each number has one
-- definition (docs/operations.md lists the alerts built on them).
--
-- Only views and one helper function: the specified tables keep their columns and indexes.
-- Times are UTC, like the columns they come from. No schema name is written: Flyway runs this
-- file with search_path set to the event store schema.


-- stream_category(p_stream_id text) RETURNS text
-- The category of a stream: the part of its id before the first '-', or the whole id when it has
-- none or starts with one ('game-42' -> 'game'). The rule the bridge names topics by
-- (<topic.prefix>.<category>) and republish --category selects by. Its search_path is pinned
-- like every function of the store's.
CREATE FUNCTION stream_category(p_stream_id text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
  SELECT CASE WHEN position('-' IN p_stream_id) > 1 THEN split_part(p_stream_id, '-', 1) ELSE p_stream_id END;
$$;


-- monitor_events_per_hour: events appended per category per hour (UTC), over the current hour
-- and the 47 before it. Hours without events have no row. The window keeps the query on the
-- created_at index, so polling it never reads the whole events table; long-term history belongs
-- in Prometheus (rate of eventstore_bridge_category_events).
-- Columns: hour (timestamp, start of the hour), category, events (bigint).
CREATE VIEW monitor_events_per_hour AS
SELECT date_trunc('hour', e.created_at) AS hour,
       stream_category(e.stream_id) AS category,
       count(*) AS events
  FROM events e
 WHERE e.created_at >= date_trunc('hour', now() AT TIME ZONE 'UTC') - interval '47 hours'
 GROUP BY 1, 2
 ORDER BY 1 DESC, 2;


-- monitor_streams_per_category: stream counts and sizes per category, from event_streams (a
-- stream's version is its number of events, so no event is read).
-- Columns: category, streams (all, soft-deleted included), deleted_streams (soft-deleted, whose
-- events stay until a hard delete), events (sum of the streams' versions), largest_stream_events,
-- average_stream_events (numeric, one decimal), last_updated_at (newest append or soft delete).
CREATE VIEW monitor_streams_per_category AS
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
CREATE VIEW monitor_subscription_lag AS
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


-- monitor_replication_slots: the logical replication slots of this database, with the WAL each
-- holds back. The bridge's slot is <schema>_cdc unless slot.name says otherwise (the Kafka
-- Connect deployment's is eventstore_connect); every such slot decodes the publication
-- <schema>_events. An inactive slot keeps its WAL until it is used or dropped, bounded only by
-- max_slot_wal_keep_size, past which PostgreSQL invalidates it (wal_status 'lost').
-- Columns: slot_name, plugin, active, active_pid, wal_status (reserved, extended, unreserved,
-- lost), retained_wal_bytes (current WAL position minus restart_lsn: what the server keeps for
-- it), unconfirmed_wal_bytes (current position minus confirmed_flush_lsn: written but not yet
-- acknowledged by the slot's consumer), safe_wal_size (bytes left before max_slot_wal_keep_size
-- invalidates it; NULL when unlimited), restart_lsn, confirmed_flush_lsn, store_default_slot
-- (true for <schema>_cdc), publication (<schema>_events, NULL if it does not exist).
CREATE VIEW monitor_replication_slots AS
SELECT s.slot_name::text AS slot_name,
       s.plugin::text AS plugin,
       s.active,
       s.active_pid,
       s.wal_status,
       coalesce(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.restart_lsn), 0)::bigint AS retained_wal_bytes,
       coalesce(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), s.confirmed_flush_lsn), 0)::bigint AS unconfirmed_wal_bytes,
       s.safe_wal_size,
       s.restart_lsn,
       s.confirmed_flush_lsn,
       s.slot_name = '${flyway:defaultSchema}_cdc' AS store_default_slot,
       p.pubname::text AS publication
  FROM pg_catalog.pg_replication_slots s
  LEFT JOIN pg_catalog.pg_publication p ON p.pubname = '${flyway:defaultSchema}_events'
 WHERE s.slot_type = 'logical'
   AND s.database = pg_catalog.current_database()
 ORDER BY 1;


-- monitor_largest_streams: the 100 streams with the most events, largest first (ties by id).
-- Columns: stream_id, category, events (its version), created_at, updated_at, deleted_at.
CREATE VIEW monitor_largest_streams AS
SELECT s.stream_id,
       stream_category(s.stream_id) AS category,
       s.stream_version AS events,
       s.created_at,
       s.updated_at,
       s.deleted_at
  FROM event_streams s
 ORDER BY s.stream_version DESC, s.stream_id
 LIMIT 100;


-- monitor_table_sizes: disk used by each table of the store (heap, indexes and TOAST) and the
-- planner's row estimate (reltuples, refreshed by ANALYZE and autovacuum: cheap, approximate).
-- Columns: table_name, total_bytes, table_bytes, index_bytes, estimated_rows (-1: never analysed).
CREATE VIEW monitor_table_sizes AS
SELECT c.relname::text AS table_name,
       pg_catalog.pg_total_relation_size(c.oid) AS total_bytes,
       pg_catalog.pg_table_size(c.oid) AS table_bytes,
       pg_catalog.pg_indexes_size(c.oid) AS index_bytes,
       c.reltuples::bigint AS estimated_rows
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = '${flyway:defaultSchema}'::regnamespace
   AND c.relkind IN ('r', 'p')
 ORDER BY 2 DESC, 1;
