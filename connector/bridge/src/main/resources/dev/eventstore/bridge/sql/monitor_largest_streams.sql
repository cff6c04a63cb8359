-- The largest streams (the view keeps the 100 largest), largest first.
-- Parameters: 1 = how many (integer).
SELECT stream_id, category, events, created_at, updated_at, deleted_at
  FROM ${schema}.monitor_largest_streams
 ORDER BY events DESC, stream_id
 LIMIT ?;
