-- Deletes one offset-mirror position if it has not moved since the cutoff.
-- Parameters: 1 = subscription id (text), 2 = topic (text), 3 = partition (integer),
--   4 = cutoff (timestamp, UTC).
DELETE FROM ${schema}.mirror_positions
 WHERE subscription_id = ? AND topic = ? AND kafka_partition = ? AND updated_at < ?;
