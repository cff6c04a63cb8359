-- set_stream_metadata(p_stream_id text, p_metadata jsonb, p_merge boolean) RETURNS jsonb
-- Writes a stream's metadata (event_streams.metadata) and returns what it now holds. p_merge
-- false replaces it with p_metadata; true merges p_metadata into it with jsonb || (shallow: each
-- top-level key of p_metadata replaces the stream's key of that name, other keys stay). The row is
-- locked while it is read and written, so concurrent merges of different keys all land. The
-- stream's version and updated_at do not change: metadata is no event, and nothing reaches Kafka.
-- Refuses p_metadata that is NULL or not a JSON object, a result over 65536 bytes as jsonb text
-- (the Java constant Limits.MAX_STREAM_METADATA_SIZE_BYTES), a stream that does not exist (streams
-- are created by their first append), a soft-deleted stream, and a merge into metadata that is
-- not an object (only a row written by hand holds such).
-- SECURITY DEFINER: the writer role has no UPDATE on event_streams.
-- Errors: ZE004, ZE006 (not an object, too large), ZE003 (no such stream), ZE002 (deleted).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION set_stream_metadata(p_stream_id text, p_metadata jsonb, p_merge boolean)
  RETURNS jsonb
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_current jsonb;
  v_deleted_at timestamp;
  v_result jsonb;
  v_size integer;
BEGIN
  PERFORM check_stream_id(p_stream_id);
  IF p_metadata IS NULL OR jsonb_typeof(p_metadata) <> 'object' THEN
    RAISE EXCEPTION 'stream metadata must be a JSON object, was %', coalesce(jsonb_typeof(p_metadata), 'null')
      USING ERRCODE = 'ZE006', DETAIL = format('stream_id=%s', p_stream_id);
  END IF;
  IF p_merge IS NULL THEN
    RAISE EXCEPTION 'set_stream_metadata: p_merge is NULL (true merges, false replaces)' USING ERRCODE = 'ZE006';
  END IF;
  SELECT s.metadata, s.deleted_at INTO v_current, v_deleted_at
    FROM event_streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'stream % not found', quote_literal(p_stream_id)
      USING ERRCODE = 'ZE003', DETAIL = format('stream_id=%s', p_stream_id);
  END IF;
  IF v_deleted_at IS NOT NULL THEN
    RAISE EXCEPTION 'stream % is deleted (at % UTC): its metadata cannot change', quote_literal(p_stream_id), v_deleted_at
      USING ERRCODE = 'ZE002', DETAIL = format('stream_id=%s', p_stream_id);
  END IF;
  IF p_merge AND jsonb_typeof(v_current) IS DISTINCT FROM 'object' AND v_current IS NOT NULL THEN
    RAISE EXCEPTION 'stream %: its metadata is a JSON %, not an object, and cannot be merged into: set it instead',
      quote_literal(p_stream_id), jsonb_typeof(v_current)
      USING ERRCODE = 'ZE006', DETAIL = format('stream_id=%s', p_stream_id);
  END IF;
  v_result := CASE WHEN p_merge THEN coalesce(v_current, '{}'::jsonb) || p_metadata ELSE p_metadata END;
  v_size := octet_length(v_result::text);
  IF v_size > 65536 THEN
    RAISE EXCEPTION 'stream metadata of % bytes is over the limit of 65536 bytes', v_size
      USING ERRCODE = 'ZE006', DETAIL = format('stream_id=%s', p_stream_id);
  END IF;
  UPDATE event_streams SET metadata = v_result WHERE stream_id = p_stream_id;
  RETURN v_result;
END;
$$;
