-- Creates or moves forward a subscription's position in a stream (never backwards).
-- Parameters: 1 = subscription id (text), 2 = stream id (text), 3 = last seen event id (bigint),
--   4 = last seen stream version (bigint), 5 = metadata (jsonb, may be NULL).
-- Returns one row: moved (boolean), false when the recorded position was already as far or further.
-- Errors: the stream does not exist (23503 fk_subscriptions_stream), invalid arguments (ZE004, ZE006).
SELECT ${schema}.record_subscription_position(?, ?, ?, ?, ?::jsonb) AS moved;
