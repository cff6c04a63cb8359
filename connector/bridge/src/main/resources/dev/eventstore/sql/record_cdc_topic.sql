-- Records the Kafka topic id of an event topic at its first use, unless one is recorded already
-- (then the caller reads it back with select_cdc_topic.sql and compares).
-- Parameters: 1 = topic (text), 2 = topic id (uuid).
INSERT INTO ${schema}.cdc_topics (topic, topic_id, recorded_at)
VALUES (?, ?, now() AT TIME ZONE 'UTC')
ON CONFLICT (topic) DO NOTHING;
