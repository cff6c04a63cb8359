-- Where a subscription (a Kafka consumer group) resumes on each event topic-partition, counting
-- only positions read from the topic's current incarnation: rows updated before the topic's
-- cdc_topics.positions_valid_from point at records of a deleted topic and are left out.
-- As subscription_partition_positions.sql otherwise (highest recorded offset plus one); the id is
-- not checked, so that any consumer group name Kafka allows can be asked about.
-- Parameters: 1 = subscription id (text), 2 = false to leave out positions of earlier
--   incarnations, true to count them too (boolean).
-- Returns one row per topic-partition: topic (text), kafka_partition (integer), next_offset (bigint).
SELECT s.metadata->>'topic'                      AS topic,
       (s.metadata->>'partition')::integer       AS kafka_partition,
       max((s.metadata->>'offset')::bigint) + 1  AS next_offset
  FROM ${schema}.subscriptions s
  LEFT JOIN ${schema}.cdc_topics t ON t.topic = s.metadata->>'topic'
 WHERE s.subscription_id = ?
   AND jsonb_typeof(s.metadata->'topic') = 'string'
   AND s.metadata->>'partition' ~ '^[0-9]{1,9}$'
   AND s.metadata->>'offset' ~ '^[0-9]{1,18}$'
   AND (? OR t.positions_valid_from IS NULL OR s.updated_at >= t.positions_valid_from)
 GROUP BY 1, 2
 ORDER BY 1, 2;
