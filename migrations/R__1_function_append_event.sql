-- append_event(p_stream_id text, p_expected_version bigint, p_event_type text,
--              p_event_version integer, p_data jsonb, p_metadata jsonb)
--   RETURNS TABLE (new_event_id bigint, new_version bigint)
-- Appends one event in one call. When every argument is valid and the stream exists, is not
-- deleted and satisfies the expected version, one statement advances (and locks) the stream's
-- row and inserts the event, exactly as append_to_stream writes one event (same lock, same UTC
-- created_at and updated_at). Otherwise it calls append_to_stream with the one event, which
-- creates the stream or raises the error (the one source of append errors and their wording).
-- p_event_version NULL means 1; p_metadata may be NULL.
-- Errors: those of append_to_stream (ZE001, ZE002, ZE004, ZE005, ZE006).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION append_event(
    p_stream_id text,
    p_expected_version bigint,
    p_event_type text,
    p_event_version integer,
    p_data jsonb,
    p_metadata jsonb)
  RETURNS TABLE (new_event_id bigint, new_version bigint)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_id bigint;
  v_version bigint;
BEGIN
  IF p_expected_version IN (-1, -3) OR p_expected_version >= 0 THEN
    IF char_length(p_stream_id) <= 255 AND p_stream_id ~ '\S' AND p_stream_id !~ '[\u0001-\u001f\u007f-\u009f]'
       AND char_length(p_event_type) <= 255 AND p_event_type ~ '\S'
       AND p_event_type !~ '[\u0001-\u001f\u007f-\u009f]'
       AND coalesce(p_event_version, 1) >= 1 AND p_data IS NOT NULL THEN
      WITH advanced AS (
        UPDATE event_streams s
           SET stream_version = s.stream_version + 1, updated_at = (now() AT TIME ZONE 'UTC')
         WHERE s.stream_id = p_stream_id AND s.deleted_at IS NULL
           AND (p_expected_version < 0 OR s.stream_version = p_expected_version)
        RETURNING s.stream_id, s.stream_version)
      INSERT INTO events (stream_id, stream_version, event_type, event_version, data, metadata, created_at)
      SELECT a.stream_id, a.stream_version, p_event_type, coalesce(p_event_version, 1), p_data, p_metadata,
             (now() AT TIME ZONE 'UTC')
        FROM advanced a
      RETURNING events.event_id, events.stream_version INTO v_id, v_version;
      IF v_id IS NOT NULL THEN
        new_event_id := v_id;
        new_version := v_version;
        RETURN NEXT;
        RETURN;
      END IF;
    END IF;
  END IF;
  SELECT r.event_ids[1], r.last_version INTO v_id, v_version
    FROM append_to_stream(p_stream_id, p_expected_version, ARRAY[p_event_type], ARRAY[p_event_version],
                          ARRAY[p_data], ARRAY[p_metadata]) r;
  new_event_id := v_id;
  new_version := v_version;
  RETURN NEXT;
END;
$$;
