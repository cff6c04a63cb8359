-- How far one consumer group has consumed each of the given streams (EventStore.awaitConsumed);
-- streams the group has no position in have no row.
-- Parameters: 1 = subscription id (text), 2 = stream ids (text[]).
SELECT stream_id, last_seen_stream_version
  FROM ${schema}.subscriptions
 WHERE subscription_id = ?
   AND stream_id = ANY (?);
