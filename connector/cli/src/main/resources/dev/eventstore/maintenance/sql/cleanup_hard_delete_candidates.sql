-- Streams soft-deleted before the cutoff, with what a hard delete removes of each. Subscription
-- rows of groups this same run removes as gone are counted with those groups, not here.
-- Parameters: 1 = subscription ids removed as gone (text[]), 2 = cutoff (timestamp, UTC).
SELECT s.stream_id, s.deleted_at,
       (SELECT count(*) FROM ${schema}.events e WHERE e.stream_id = s.stream_id) AS event_count,
       (SELECT count(*) FROM ${schema}.subscriptions sub
         WHERE sub.stream_id = s.stream_id AND sub.subscription_id <> ALL (?)) AS subscription_rows
  FROM ${schema}.event_streams s
 WHERE s.deleted_at IS NOT NULL
   AND s.deleted_at < ?
 ORDER BY s.stream_id;
