-- Moves the offset mirror's position for one group and partition forward (never back).
-- Parameters: 1 = subscription id (text), 2 = topic (text), 3 = partition (integer),
--   4 = next offset to read (bigint).
INSERT INTO ${schema}.mirror_positions (subscription_id, topic, kafka_partition, next_offset, updated_at)
VALUES (?, ?, ?, ?, now() AT TIME ZONE 'UTC')
ON CONFLICT (subscription_id, topic, kafka_partition) DO UPDATE
   SET next_offset = greatest(mirror_positions.next_offset, excluded.next_offset),
       updated_at = excluded.updated_at;
