-- delete_stream(p_stream_id text, p_expected_version bigint) RETURNS timestamp
-- Soft delete: sets event_streams.deleted_at (UTC) and returns it. Events stay; later appends and
-- stream reads are refused. Expected version as for append_to_stream (NO_STREAM never matches).
-- SECURITY DEFINER: deleted_at is always the server's time, UTC.
-- Errors: ZE004, ZE006, ZE003 (no such stream), ZE002 (already deleted), ZE001.
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION delete_stream(p_stream_id text, p_expected_version bigint)
  RETURNS timestamp
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_now timestamp := (now() AT TIME ZONE 'UTC');
  v_version bigint;
  v_deleted_at timestamp;
BEGIN
  PERFORM check_stream_id(p_stream_id);
  PERFORM check_expected_version(p_expected_version);
  SELECT s.stream_version, s.deleted_at INTO v_version, v_deleted_at
    FROM event_streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'stream % not found', quote_literal(p_stream_id)
      USING ERRCODE = 'ZE003', DETAIL = format('stream_id=%s', p_stream_id);
  END IF;
  IF v_deleted_at IS NOT NULL THEN
    RAISE EXCEPTION 'stream % is already deleted (at % UTC)', quote_literal(p_stream_id), v_deleted_at
      USING ERRCODE = 'ZE002', DETAIL = format('stream_id=%s', p_stream_id);
  END IF;
  IF NOT expected_version_matches(p_expected_version, true, v_version) THEN
    RAISE EXCEPTION 'wrong expected version for stream %: expected %, actual %', quote_literal(p_stream_id),
      CASE p_expected_version WHEN -2 THEN 'no stream' WHEN -3 THEN 'stream exists' ELSE p_expected_version::text END,
      v_version
      USING ERRCODE = 'ZE001',
            DETAIL = format('stream_id=%s expected=%s actual=%s exists=true', p_stream_id, p_expected_version, v_version);
  END IF;
  UPDATE event_streams SET deleted_at = v_now, updated_at = v_now WHERE stream_id = p_stream_id;
  RETURN v_now;
END;
$$;
