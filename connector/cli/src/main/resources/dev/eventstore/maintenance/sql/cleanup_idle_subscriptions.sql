-- Subscriptions (consumer groups) none of whose rows moved since the cutoff.
-- Parameters: 1 = cutoff (timestamp, UTC).
SELECT subscription_id, count(*) AS row_count, max(updated_at) AS last_updated_at
  FROM ${schema}.subscriptions
 GROUP BY subscription_id
HAVING max(updated_at) < ?
 ORDER BY subscription_id;
