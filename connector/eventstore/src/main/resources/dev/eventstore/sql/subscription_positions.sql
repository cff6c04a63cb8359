-- Every recorded position of a subscription, by stream id.
-- Parameters: 1 = subscription id (text).
-- Returns: subscription_id, stream_id, last_seen_event_id, last_seen_stream_version, metadata
--   (JSON text), created_at, updated_at (timestamps UTC).
SELECT subscription_id, stream_id, last_seen_event_id, last_seen_stream_version,
       metadata::text AS metadata, created_at, updated_at
  FROM ${schema}.subscription_positions(?);
