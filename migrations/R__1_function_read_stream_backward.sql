-- read_stream_backward(p_stream_id text, p_from_version bigint, p_max_count integer)
--   RETURNS SETOF events
-- At most p_max_count events of the stream with stream_version <= p_from_version, newest first.
-- Pass 9223372036854775807 (Long.MAX_VALUE) to start at the stream's last event.
-- Sorting is off inside it: the page is read along the (stream_id, stream_version) index
-- whatever the statistics estimate, so a long stream costs one page per call (ReadPlanIT).
-- Errors: ZE004, ZE006 (position, max count), ZE003 (no such stream), ZE002 (deleted).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION read_stream_backward(p_stream_id text, p_from_version bigint, p_max_count integer)
  RETURNS SETOF events
  LANGUAGE plpgsql STABLE
  SET search_path = "${flyway:defaultSchema}", pg_temp
  SET enable_sort = off
AS $$
BEGIN
  PERFORM check_page(p_from_version, p_max_count);
  PERFORM stream_for_read(p_stream_id);
  RETURN QUERY
    SELECT e.* FROM events e
     WHERE e.stream_id = p_stream_id AND e.stream_version <= p_from_version
     ORDER BY e.stream_version DESC
     LIMIT p_max_count;
END;
$$;
