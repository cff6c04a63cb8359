-- stream_category(p_stream_id text) RETURNS text
-- The category of a stream: the part of its id before the first '-', or the whole id when it has
-- none or starts with one ('game-42' -> 'game'). The rule the bridge names topics by
-- (<topic.prefix>.<category>) and republish --category selects by. Its search_path is pinned
-- like every function of the store's.
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION stream_category(p_stream_id text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
  SELECT CASE WHEN position('-' IN p_stream_id) > 1 THEN split_part(p_stream_id, '-', 1) ELSE p_stream_id END;
$$;
