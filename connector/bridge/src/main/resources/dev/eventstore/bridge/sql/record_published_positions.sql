-- Moves forward, per stream, the last event Kafka has acknowledged (published_streams), and
-- notifies EventStore.awaitPublished's listeners when a row moved. Rows only move forward: a
-- position whose stream version is not greater than the recorded one changes nothing.
-- Parameters: 1 = stream ids (text[]), 2 = event ids (bigint[]), 3 = stream versions (bigint[]),
--   4 = topics (text[]), 5 = partitions (integer[]), 6 = offsets (bigint[]), the arrays of equal
--   length and one element per stream; 7 = the notification's payload ('<schema>:published').
WITH moved AS (
  INSERT INTO ${schema}.published_streams AS p
         (stream_id, last_published_event_id, last_published_stream_version, topic, kafka_partition, kafka_offset,
          updated_at)
  SELECT stream_id, event_id, stream_version, topic, kafka_partition, kafka_offset, now() AT TIME ZONE 'UTC'
    FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::integer[], ?::bigint[])
         AS u (stream_id, event_id, stream_version, topic, kafka_partition, kafka_offset)
  ON CONFLICT (stream_id) DO UPDATE
     SET last_published_event_id = excluded.last_published_event_id,
         last_published_stream_version = excluded.last_published_stream_version,
         topic = excluded.topic,
         kafka_partition = excluded.kafka_partition,
         kafka_offset = excluded.kafka_offset,
         updated_at = excluded.updated_at
   WHERE p.last_published_stream_version < excluded.last_published_stream_version
  RETURNING 1
)
SELECT pg_notify('eventstore_progress', ?)
 WHERE EXISTS (SELECT 1 FROM moved);
