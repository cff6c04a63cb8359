-- How far each of the given streams has reached Kafka (EventStore.awaitPublished); streams with
-- nothing published yet have no row.
-- Parameters: 1 = stream ids (text[]).
SELECT stream_id, last_published_stream_version
  FROM ${schema}.published_streams
 WHERE stream_id = ANY (?);
