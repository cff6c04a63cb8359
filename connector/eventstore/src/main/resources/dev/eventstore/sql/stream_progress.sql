-- Where one stream stands in Kafka and, for a consumer group, how far the group has consumed it:
-- the facts a timed-out wait reports. One row; NULLs where there is no position (or the group's
-- metadata holds no Kafka position: it is whatever the group recorded).
-- Parameters: 1 = stream id (text), 2 = subscription id (text, NULL for none), 3 = stream id (text).
SELECT p.last_published_stream_version, p.topic, p.kafka_partition, p.kafka_offset,
       s.last_seen_stream_version, s.metadata ->> 'topic' AS consumed_topic,
       CASE WHEN s.metadata ->> 'partition' ~ '^[0-9]{1,9}$' THEN (s.metadata ->> 'partition')::integer END
         AS consumed_partition,
       CASE WHEN s.metadata ->> 'offset' ~ '^[0-9]{1,18}$' THEN (s.metadata ->> 'offset')::bigint END
         AS consumed_offset
  FROM (SELECT 1) AS one
  LEFT JOIN ${schema}.published_streams p ON p.stream_id = ?
  LEFT JOIN ${schema}.subscriptions s ON s.subscription_id = ? AND s.stream_id = ?;
