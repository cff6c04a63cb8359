-- The highest Kafka offset recorded per topic partition for one subscription (consumer group):
-- the group resumes at that offset plus one. Rows written by the consumer library or the offset
-- mirror carry {"topic": ..., "partition": ..., "offset": ...} in metadata.
-- Parameters: 1 = subscription id (text).
SELECT metadata->>'topic' AS topic,
       (metadata->>'partition')::int AS partition,
       max((metadata->>'offset')::bigint) AS max_offset
  FROM ${schema}.subscriptions
 WHERE subscription_id = ?
   AND metadata->>'topic' IS NOT NULL
   AND metadata->>'partition' IS NOT NULL
   AND metadata->>'offset' IS NOT NULL
 GROUP BY 1, 2;
