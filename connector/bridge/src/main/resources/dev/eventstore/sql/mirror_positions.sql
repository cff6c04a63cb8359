-- The offset mirror's next offset per topic partition for one consumer group, with the id of the
-- topic it was read from (NULL for positions written before topic ids were kept).
-- Parameters: 1 = subscription id (text).
SELECT topic, kafka_partition, next_offset, topic_id FROM ${schema}.mirror_positions WHERE subscription_id = ?;
