-- Whether any stream of a category exists (verify, replay and republish refuse a category with
-- none, a typo most of the time). A category is the part of a stream id before its first '-', or
-- the whole id when it has none (the rule of stream_category()).
-- Parameters: 1 = category (text), 2 = length of category || '-' (int), 3 = category || '-' (text).
SELECT EXISTS (
  SELECT 1
    FROM ${schema}.event_streams
   WHERE stream_id = ?
      OR left(stream_id, ?) = ?
) AS found;
