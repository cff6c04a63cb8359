-- The Kafka topics the bridge publishes events to, each with the Kafka topic id it had when the
-- bridge (or republish) created or first used it; and, beside each offset mirror position, the
-- topic id it was read from.
--
-- Why: a Kafka topic can be deleted while PostgreSQL keeps every event, and a topic of the same
-- name can appear again (created by an operator, a client or the broker's auto-creation) with
-- other settings and none of the old records. Only its topic id tells the two apart. The bridge
-- compares each topic's id with the one recorded here at a topic's first use and every few
-- seconds; when a recorded topic is gone or has another id, it stops and names
-- `eventstore republish --restore-topic <topic>`, which creates the topic again, republishes its
-- events in stream order and records the new id. The offset mirror and replay ignore positions
-- read from another incarnation of a topic: they describe records that no longer exist.


-- cdc_topics: one row per event topic. recorded_at: when this topic id was recorded.
-- positions_valid_from: positions in the subscriptions table updated before it were read from an
-- earlier incarnation of the topic; '-infinity' when the id was recorded at the first use of a
-- topic that already existed (the positions before it are of this same topic), the time of
-- creation when the bridge or a restore created the topic.
CREATE TABLE cdc_topics (
  topic text NOT NULL,
  topic_id uuid NOT NULL,
  recorded_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  positions_valid_from timestamp NOT NULL DEFAULT '-infinity',
  CONSTRAINT pk_cdc_topics PRIMARY KEY (topic)
);


-- mirror_positions.topic_id: the id of the topic the position was read from; NULL on positions
-- written before this column existed (the mirror fills it in on its next pass).
ALTER TABLE mirror_positions ADD COLUMN topic_id uuid;
