-- Deletes every subscription row of some streams; returns how many per stream.
-- Parameters: 1 = stream ids (text[]).
WITH deleted AS (
  DELETE FROM ${schema}.subscriptions WHERE stream_id = ANY (?) RETURNING stream_id
)
SELECT stream_id, count(*) AS row_count FROM deleted GROUP BY stream_id;
