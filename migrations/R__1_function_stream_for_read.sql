-- stream_for_read(p_stream_id text) RETURNS void
-- Shared by the stream reads: refuses an invalid stream id, a stream that does not exist and a
-- soft-deleted stream. Reads of a deleted stream are refused like appends: its events stay in
-- the table (they are immutable, and were published) and read_all_forward still returns them.
-- Errors: ZE004, ZE003 (no such stream), ZE002 (deleted).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION stream_for_read(p_stream_id text) RETURNS void
  LANGUAGE plpgsql STABLE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_deleted_at timestamp;
BEGIN
  PERFORM check_stream_id(p_stream_id);
  SELECT s.deleted_at INTO v_deleted_at FROM event_streams s WHERE s.stream_id = p_stream_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'stream % not found', quote_literal(p_stream_id)
      USING ERRCODE = 'ZE003', DETAIL = format('stream_id=%s', p_stream_id);
  END IF;
  IF v_deleted_at IS NOT NULL THEN
    RAISE EXCEPTION 'stream % is deleted (at % UTC)', quote_literal(p_stream_id), v_deleted_at
      USING ERRCODE = 'ZE002', DETAIL = format('stream_id=%s', p_stream_id);
  END IF;
END;
$$;
