-- Where a subscription (a Kafka consumer group) resumes on each Kafka topic-partition it has
-- recorded: the highest offset in its rows' metadata ({"topic":..,"partition":..,"offset":..}) plus one.
-- Parameters: 1 = subscription id (text).
-- Returns one row per topic-partition, by topic and partition: topic (text), kafka_partition
--   (integer), next_offset (bigint, highest recorded offset + 1), streams (bigint, how many of the
--   subscription's rows point into it), updated_at (timestamp UTC, the latest move among them).
--   Rows whose metadata lacks a string topic, or a whole-number partition and offset, are left out.
SELECT metadata->>'topic'                      AS topic,
       (metadata->>'partition')::integer       AS kafka_partition,
       max((metadata->>'offset')::bigint) + 1  AS next_offset,
       count(*)                                AS streams,
       max(updated_at)                         AS updated_at
  FROM ${schema}.subscriptions
 WHERE subscription_id = ?
   AND jsonb_typeof(metadata->'topic') = 'string'
   AND metadata->>'partition' ~ '^[0-9]{1,9}$'
   AND metadata->>'offset' ~ '^[0-9]{1,18}$'
 GROUP BY 1, 2
 ORDER BY 1, 2;
