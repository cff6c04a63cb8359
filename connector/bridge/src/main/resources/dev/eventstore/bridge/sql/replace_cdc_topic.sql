-- Records the Kafka topic id of an event topic that republish --restore-topic created again,
-- replacing the id of the lost incarnation: positions recorded before now are of that one.
-- Parameters: 1 = topic (text), 2 = topic id (uuid).
INSERT INTO ${schema}.cdc_topics (topic, topic_id, recorded_at, positions_valid_from)
VALUES (?, ?, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
ON CONFLICT (topic) DO UPDATE
   SET topic_id = excluded.topic_id,
       recorded_at = excluded.recorded_at,
       positions_valid_from = excluded.positions_valid_from;
