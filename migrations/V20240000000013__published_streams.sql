-- Read your own writes: how far each stream has reached Kafka, and a notification whenever that
-- or a consumer group's position moves, so that a caller can wait for its own event cheaply.
--
-- published_streams: per stream, the last event Kafka has acknowledged, with its record's topic,
-- partition and offset. The embedded bridge writes it as acknowledgements arrive; in the Kafka
-- Connect deployment the offset mirror service writes it from the topics' end offsets. Rows only
-- move forward. No foreign key to event_streams: the writers learn of a stream from Kafka, and a
-- row for a stream this store does not have (another store's records in the topic) is harmless.
--
-- Notifications: channel eventstore_progress, payload '<schema>:published' after a write that
-- moved a row of published_streams, '<schema>:consumed:<subscription id>' after
-- record_subscription_position moved a subscription (see its definition file). Listeners
-- (EventStore.awaitPublished / awaitConsumed) re-read only the rows they wait for.
--
-- The offset mirror keeps its own position for the published rows in mirror_positions under the
-- subscription id '' (empty), which no consumer group can have.

CREATE TABLE published_streams (
  stream_id text NOT NULL,
  last_published_event_id bigint NOT NULL,
  last_published_stream_version bigint NOT NULL,
  topic text NOT NULL,
  kafka_partition integer NOT NULL,
  kafka_offset bigint NOT NULL,
  updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  CONSTRAINT pk_published_streams PRIMARY KEY (stream_id),
  CONSTRAINT ck_published_streams_position CHECK (last_published_stream_version >= 1 AND kafka_offset >= 0)
);
