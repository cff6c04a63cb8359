-- check_stream_id(p_stream_id text) RETURNS void
-- Refuses a stream id that is NULL, empty, only whitespace, longer than 255 characters (the
-- Java constant Limits.MAX_STREAM_ID_LENGTH) or that holds control characters (U+0001 to U+001F,
-- U+007F to U+009F). The Java library checks the same before any call; this is the server's
-- own line of defence for callers that use SQL directly.
-- Errors: ZE004.
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION check_stream_id(p_stream_id text) RETURNS void
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  IF p_stream_id IS NULL OR p_stream_id = '' THEN
    RAISE EXCEPTION 'invalid stream id: the stream id is empty' USING ERRCODE = 'ZE004';
  END IF;
  IF p_stream_id !~ '\S' THEN
    RAISE EXCEPTION 'invalid stream id: the stream id is only whitespace' USING ERRCODE = 'ZE004';
  END IF;
  IF char_length(p_stream_id) > 255 THEN
    RAISE EXCEPTION 'invalid stream id: % characters, the limit is 255', char_length(p_stream_id)
      USING ERRCODE = 'ZE004';
  END IF;
  IF p_stream_id ~ '[\u0001-\u001f\u007f-\u009f]' THEN
    RAISE EXCEPTION 'invalid stream id: it contains a control character' USING ERRCODE = 'ZE004';
  END IF;
END;
$$;
