-- The bridge's offset mirror: how far it has read each consumer group's committed offsets.
-- The mirror copies the progress of consumer groups that do not use the consumer library (any
-- language) into the subscriptions table. Its own position is kept here rather than derived
-- from subscriptions.metadata, because a record that moves no subscription row (a duplicate
-- after a republish) must still move the mirror on.
CREATE TABLE mirror_positions (
  subscription_id text NOT NULL,
  topic text NOT NULL,
  kafka_partition integer NOT NULL,
  next_offset bigint NOT NULL,
  updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  CONSTRAINT pk_mirror_positions PRIMARY KEY (subscription_id, topic, kafka_partition),
  CONSTRAINT ck_mirror_positions_offset CHECK (next_offset >= 0)
);
