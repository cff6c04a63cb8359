-- Moves the offset mirror's position for one group and partition forward (never back), unless
-- the position was read from another incarnation of the topic (another topic id) or the caller
-- resets it (its offsets went backwards: the topic was deleted and created again); then the
-- position is replaced.
-- Parameters: 1 = subscription id (text), 2 = topic (text), 3 = partition (integer),
--   4 = next offset to read (bigint), 5 = topic id (uuid), 6 = reset (boolean).
INSERT INTO ${schema}.mirror_positions AS m (subscription_id, topic, kafka_partition, next_offset, topic_id, updated_at)
VALUES (?, ?, ?, ?, ?, now() AT TIME ZONE 'UTC')
ON CONFLICT (subscription_id, topic, kafka_partition) DO UPDATE
   SET next_offset = CASE WHEN ? OR m.topic_id IS DISTINCT FROM excluded.topic_id THEN excluded.next_offset
                          ELSE greatest(m.next_offset, excluded.next_offset) END,
       topic_id = excluded.topic_id,
       updated_at = excluded.updated_at;
