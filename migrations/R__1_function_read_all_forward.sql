-- read_all_forward(p_from_event_id bigint, p_max_count integer) RETURNS SETOF events
-- At most p_max_count events of every stream (deleted ones included) with event_id >=
-- p_from_event_id, by event_id. For export and administration only: event ids are taken from a
-- sequence at insert, not at commit, so a reader that follows them can skip an event committed
-- late. Never use it as a subscription mechanism.
-- Errors: ZE006 (position, max count).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION read_all_forward(p_from_event_id bigint, p_max_count integer)
  RETURNS SETOF events
  LANGUAGE plpgsql STABLE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  PERFORM check_page(p_from_event_id, p_max_count);
  RETURN QUERY
    SELECT e.* FROM events e
     WHERE e.event_id >= p_from_event_id
     ORDER BY e.event_id
     LIMIT p_max_count;
END;
$$;
