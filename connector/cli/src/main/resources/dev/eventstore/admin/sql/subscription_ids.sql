-- Every subscription (consumer group) with recorded positions.
-- Parameters: none.
SELECT DISTINCT subscription_id FROM ${schema}.subscriptions ORDER BY 1;
