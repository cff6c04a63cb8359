-- A subscription's position in one stream.
-- Parameters: 1 = subscription id (text), 2 = stream id (text).
-- Returns zero or one row: subscription_id, stream_id, last_seen_event_id,
--   last_seen_stream_version, metadata (JSON text), created_at, updated_at (timestamps UTC).
SELECT subscription_id, stream_id, last_seen_event_id, last_seen_stream_version,
       metadata::text AS metadata, created_at, updated_at
  FROM ${schema}.subscriptions
 WHERE subscription_id = ? AND stream_id = ?;
