-- The offset mirror's next offset per topic partition for one consumer group.
-- Parameters: 1 = subscription id (text).
SELECT topic, kafka_partition, next_offset FROM ${schema}.mirror_positions WHERE subscription_id = ?;
