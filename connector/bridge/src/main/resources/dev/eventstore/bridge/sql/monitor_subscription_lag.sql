-- Every subscription's lag per category, from the subscriptions rows and the streams' versions.
-- Parameters: none (${schema} is the validated event store schema).
SELECT subscription_id, category, following_since, streams_recorded, streams_behind, events_behind,
       last_recorded_at, oldest_unprocessed_at, lag_seconds
  FROM ${schema}.monitor_subscription_lag;
