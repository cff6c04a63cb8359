-- append_to_stream(p_stream_id text, p_expected_version bigint, p_event_types text[],
--                  p_event_versions integer[], p_data jsonb[], p_metadata jsonb[])
--   RETURNS TABLE (first_version bigint, last_version bigint, event_ids bigint[])
-- Appends a whole batch to a stream in one statement: all events or none. The arrays are
-- parallel, one element per event, in stream order; p_event_versions may hold NULLs (version 1)
-- and p_metadata may be NULL or hold NULLs (no metadata). The stream's row in event_streams is
-- updated (or created) first, which locks it until the transaction ends, and the version check
-- follows on the row as it was: concurrent appends to one stream are serialised, and exactly one of
-- several with the same expected version wins. event_ids are in stream order. The events' created_at
-- is the transaction's start, UTC. Expected version: see R__1_function_check_expected_version.sql.
-- SECURITY DEFINER: runs with the owner's rights (the writer has no INSERT on events and no UPDATE
-- on event_streams); it validates every argument and pins its search_path.
--
-- The common case costs few statements: the conditions of check_stream_id, check_expected_version
-- and expected_version_matches are evaluated inline, and those functions are only called to raise
-- the error when a condition fails, so every message and SQLSTATE stays theirs; a single event is
-- checked with plain expressions and inserted with INSERT ... VALUES; a batch runs the query that
-- locates a bad event only when a cheap pass over the arrays finds one, and is inserted with one
-- INSERT over unnest(...).
-- Errors: ZE004 (stream id), ZE006 (expected version, empty batch, arrays of unequal length),
--         ZE005 (an event: type empty, blank or over 255 characters, version below 1, NULL data),
--         ZE002 (the stream is soft-deleted), ZE001 (wrong expected version).
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION append_to_stream(
    p_stream_id text,
    p_expected_version bigint,
    p_event_types text[],
    p_event_versions integer[],
    p_data jsonb[],
    p_metadata jsonb[])
  RETURNS TABLE (first_version bigint, last_version bigint, event_ids bigint[])
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_count integer := coalesce(cardinality(p_event_types), 0);
  v_now timestamp := (now() AT TIME ZONE 'UTC');
  v_exists boolean;
  v_version bigint;
  v_deleted_at timestamp;
  v_bad_index bigint;
  v_reason text;
  v_ids bigint[];
  v_id bigint;
BEGIN
  IF p_stream_id IS NULL OR char_length(p_stream_id) > 255 OR p_stream_id !~ '\S'
     OR p_stream_id ~ '[\u0001-\u001f\u007f-\u009f]' THEN
    PERFORM check_stream_id(p_stream_id);  -- raises ZE004 with the precise reason
  END IF;
  IF p_expected_version IS NULL OR p_expected_version < -3 THEN
    PERFORM check_expected_version(p_expected_version);  -- raises ZE006
  END IF;
  IF v_count = 0 THEN
    RAISE EXCEPTION 'append to stream %: the batch holds no events', quote_literal(p_stream_id)
      USING ERRCODE = 'ZE006';
  END IF;
  IF coalesce(cardinality(p_data), 0) <> v_count
     OR (p_event_versions IS NOT NULL AND cardinality(p_event_versions) <> v_count)
     OR (p_metadata IS NOT NULL AND cardinality(p_metadata) <> v_count) THEN
    RAISE EXCEPTION 'append to stream %: the event arrays differ in length (types %, versions %, data %, metadata %)',
      quote_literal(p_stream_id), v_count, cardinality(p_event_versions), cardinality(p_data), cardinality(p_metadata)
      USING ERRCODE = 'ZE006';
  END IF;

  -- A single event: plain expressions. A batch: one pass that only says whether anything is wrong.
  -- Either way, a problem is then located and worded by the query below.
  IF (v_count = 1 AND (p_event_types[1] IS NULL OR char_length(p_event_types[1]) > 255
                       OR p_event_types[1] !~ '\S' OR p_event_types[1] ~ '[\u0001-\u001f\u007f-\u009f]'
                       OR p_event_versions[1] < 1 OR p_data[1] IS NULL))
     OR (v_count > 1 AND EXISTS (
           SELECT 1
             FROM unnest(p_event_types, p_event_versions, p_data) AS t(event_type, event_version, data)
            WHERE t.event_type IS NULL OR t.event_type !~ '\S' OR char_length(t.event_type) > 255
               OR t.event_type ~ '[\u0001-\u001f\u007f-\u009f]'
               OR t.event_version < 1 OR t.data IS NULL)) THEN
    SELECT t.ord - 1,
           CASE
             WHEN t.event_type IS NULL OR t.event_type = '' THEN 'the event type is empty'
             WHEN t.event_type !~ '\S' THEN 'the event type is only whitespace'
             WHEN char_length(t.event_type) > 255 THEN 'the event type is longer than 255 characters'
             WHEN t.event_type ~ '[\u0001-\u001f\u007f-\u009f]' THEN 'the event type contains a control character'
             WHEN t.event_version < 1 THEN 'the event version ' || t.event_version || ' is below 1'
             ELSE 'the event data is NULL'
           END
      INTO v_bad_index, v_reason
      FROM unnest(p_event_types, p_event_versions, p_data) WITH ORDINALITY AS t(event_type, event_version, data, ord)
     WHERE t.event_type IS NULL OR t.event_type !~ '\S' OR char_length(t.event_type) > 255
        OR t.event_type ~ '[\u0001-\u001f\u007f-\u009f]'
        OR t.event_version < 1 OR t.data IS NULL
     ORDER BY t.ord
     LIMIT 1;
    RAISE EXCEPTION 'invalid event at index % for stream %: %', v_bad_index, quote_literal(p_stream_id), v_reason
      USING ERRCODE = 'ZE005', DETAIL = format('index=%s reason=%s', v_bad_index, v_reason);
  END IF;

  -- Lock and advance the stream's row in one statement; create it if it does not exist. A failed
  -- check below raises, which rolls the update back with everything else.
  UPDATE event_streams s
     SET stream_version = s.stream_version + v_count, updated_at = v_now
   WHERE s.stream_id = p_stream_id
  RETURNING s.stream_version - v_count, s.deleted_at INTO v_version, v_deleted_at;
  v_exists := FOUND;
  IF NOT v_exists THEN
    INSERT INTO event_streams (stream_id, stream_version, created_at, updated_at)
    VALUES (p_stream_id, v_count, v_now, v_now)
    ON CONFLICT (stream_id) DO NOTHING;
    IF FOUND THEN
      v_version := 0;
    ELSE
      UPDATE event_streams s
         SET stream_version = s.stream_version + v_count, updated_at = v_now
       WHERE s.stream_id = p_stream_id
      RETURNING s.stream_version - v_count, s.deleted_at INTO v_version, v_deleted_at;
      v_exists := true;
    END IF;
  END IF;

  IF v_deleted_at IS NOT NULL THEN
    RAISE EXCEPTION 'stream % is deleted (at % UTC): appends are refused', quote_literal(p_stream_id), v_deleted_at
      USING ERRCODE = 'ZE002', DETAIL = format('stream_id=%s', p_stream_id);
  END IF;
  -- expected_version_matches(p_expected_version, v_exists, v_version), restated inline: every
  -- function of the schema pins its search_path (SchemaFunctionsIT), and a SET clause keeps
  -- PostgreSQL from inlining a SQL function; change both together.
  -- (Parenthesised: PL/pgSQL ends an IF condition at the first THEN outside parentheses.)
  IF NOT (CASE
            WHEN p_expected_version = -1 THEN true
            WHEN p_expected_version = -2 THEN NOT v_exists
            WHEN p_expected_version = -3 THEN v_exists
            ELSE v_version = p_expected_version
          END) THEN
    RAISE EXCEPTION 'wrong expected version for stream %: expected %, actual %', quote_literal(p_stream_id),
      CASE p_expected_version WHEN -2 THEN 'no stream' WHEN -3 THEN 'stream exists' ELSE p_expected_version::text END,
      CASE WHEN v_exists THEN v_version::text ELSE 'no stream' END
      USING ERRCODE = 'ZE001',
            DETAIL = format('stream_id=%s expected=%s actual=%s exists=%s', p_stream_id, p_expected_version, v_version,
                             CASE WHEN v_exists THEN 'true' ELSE 'false' END);
  END IF;

  IF v_count = 1 THEN
    INSERT INTO events (stream_id, stream_version, event_type, event_version, data, metadata, created_at)
    VALUES (p_stream_id, v_version + 1, p_event_types[1], coalesce(p_event_versions[1], 1), p_data[1], p_metadata[1],
            v_now)
    RETURNING events.event_id INTO v_id;
    v_ids := ARRAY[v_id];
  ELSE
    WITH inserted AS (
      INSERT INTO events (stream_id, stream_version, event_type, event_version, data, metadata, created_at)
      SELECT p_stream_id, v_version + t.ord, t.event_type, coalesce(t.event_version, 1), t.data, t.metadata, v_now
        FROM unnest(p_event_types, p_event_versions, p_data, p_metadata)
             WITH ORDINALITY AS t(event_type, event_version, data, metadata, ord)
       ORDER BY t.ord
      RETURNING events.event_id, events.stream_version
    )
    SELECT array_agg(inserted.event_id ORDER BY inserted.stream_version) INTO v_ids FROM inserted;
  END IF;

  first_version := v_version + 1;
  last_version := v_version + v_count;
  event_ids := v_ids;
  RETURN NEXT;
END;
$$;
