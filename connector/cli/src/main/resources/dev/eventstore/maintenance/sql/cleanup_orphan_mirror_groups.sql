-- Groups the offset mirror has positions for but no subscription rows (every record it read was
-- of a stream this store does not have), idle since the cutoff. The subscription id '' is the
-- mirror's own position for published_streams, not a group: never an orphan.
-- Parameters: 1 = cutoff (timestamp, UTC).
SELECT mp.subscription_id, max(mp.updated_at) AS last_updated_at
  FROM ${schema}.mirror_positions mp
 WHERE mp.subscription_id <> ''
   AND NOT EXISTS (SELECT 1 FROM ${schema}.subscriptions s WHERE s.subscription_id = mp.subscription_id)
 GROUP BY mp.subscription_id
HAVING max(mp.updated_at) < ?
 ORDER BY mp.subscription_id;
