-- Records the Kafka topic id of an event topic at its first use, unless one is recorded already
-- (then the caller reads it back with select_cdc_topic.sql and compares).
-- Parameters: 1 = topic (text), 2 = topic id (uuid), 3 = whether this use created the topic
--   (boolean: positions recorded before now then belong to an earlier incarnation).
INSERT INTO ${schema}.cdc_topics (topic, topic_id, recorded_at, positions_valid_from)
VALUES (?, ?, now() AT TIME ZONE 'UTC',
        CASE WHEN ? THEN now() AT TIME ZONE 'UTC' ELSE '-infinity'::timestamp END)
ON CONFLICT (topic) DO NOTHING;
