-- The offset mirror's positions of some groups.
-- Parameters: 1 = subscription ids (text[]), 2 = cutoff (timestamp, UTC): only rows idle since.
SELECT subscription_id, topic, kafka_partition
  FROM ${schema}.mirror_positions
 WHERE subscription_id = ANY (?)
   AND updated_at < ?
 ORDER BY subscription_id, topic, kafka_partition;
