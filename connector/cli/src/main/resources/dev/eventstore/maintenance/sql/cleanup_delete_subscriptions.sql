-- Deletes a group's subscription rows if none of them moved since the cutoff (checked again at
-- deletion, so a group that came back meanwhile keeps its rows).
-- Parameters: 1 = subscription id (text), 2 = cutoff (timestamp, UTC).
DELETE FROM ${schema}.subscriptions s
 WHERE s.subscription_id = ?
   AND NOT EXISTS (SELECT 1 FROM ${schema}.subscriptions f
                    WHERE f.subscription_id = s.subscription_id AND f.updated_at >= ?);
