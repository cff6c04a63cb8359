-- Deletes a subscription's position in one stream, or in every stream when the stream id is NULL.
-- Parameters: 1 = subscription id (text), 2 = stream id (text, or NULL for all).
-- Returns one row: deleted (int), the number of positions deleted.
SELECT ${schema}.delete_subscription(?, ?) AS deleted;
