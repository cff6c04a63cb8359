-- Schema functions: appends with optimistic concurrency, reads, soft delete of a stream,
-- subscription positions, and the immutability of events.
--
-- The tables of the first migration are not changed here (no column, no index): they are the
-- specification. Everything below is functions and one trigger.
--
-- No schema name is written: Flyway runs this file with search_path set to the event store
-- schema, and each function pins its own search_path to that schema through Flyway's
-- placeholder, so a caller's search_path can neither break nor hijack it.
--
-- Expected version encoding (bigint), shared by append_to_stream and delete_stream:
--   -1  ANY            no check
--   -2  NO_STREAM      the stream must not exist
--   -3  STREAM_EXISTS  the stream must exist (with or without events)
--   n >= 0             the stream's version must be exactly n (0: no events yet, or no stream)
--   anything below -3 is refused with SQLSTATE ZE006
--
-- Errors raised here (class ZE, "event store"; the Java library maps each to an exception):
--   ZE001  wrong expected version   DETAIL 'stream_id=<id> expected=<n> actual=<n> exists=<bool>'
--   ZE002  stream deleted           DETAIL 'stream_id=<id>'
--   ZE003  stream not found         DETAIL 'stream_id=<id>'
--   ZE004  invalid stream id        (empty, blank, longer than 255 characters, control characters)
--   ZE005  invalid event            DETAIL 'index=<i> reason=<text>' (i: 0-based position in the batch)
--   ZE006  invalid argument         (expected version, paging, subscription id, empty batch)
--   ZE007  events are immutable     (UPDATE, DELETE or TRUNCATE of events outside maintenance)
-- Timestamps are written as (now() AT TIME ZONE 'UTC'): the columns are timestamp without time
-- zone and always hold UTC, whatever the session's TimeZone.


-- check_stream_id(p_stream_id text) RETURNS void
-- Refuses a stream id that is NULL, empty, only whitespace, longer than 255 characters (the
-- Java constant Limits.MAX_STREAM_ID_LENGTH) or that holds control characters (U+0001 to U+001F,
-- U+007F to U+009F). The Java library checks the same before any call; this is the server's
-- own line of defence for callers that use SQL directly.
-- Errors: ZE004.
CREATE FUNCTION check_stream_id(p_stream_id text) RETURNS void
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


-- check_expected_version(p_expected_version bigint) RETURNS void
-- Refuses NULL and encodings below -3 (see the encoding at the top of this file).
-- Errors: ZE006.
CREATE FUNCTION check_expected_version(p_expected_version bigint) RETURNS void
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  IF p_expected_version IS NULL OR p_expected_version < -3 THEN
    RAISE EXCEPTION 'invalid expected version %: use -1 (any), -2 (no stream), -3 (stream exists) or a version >= 0',
      coalesce(p_expected_version::text, 'NULL') USING ERRCODE = 'ZE006';
  END IF;
END;
$$;


-- expected_version_matches(p_expected_version bigint, p_exists boolean, p_version bigint)
--   RETURNS boolean
-- Whether a stream that exists (p_exists) at p_version satisfies the expected version.
-- Errors: none.
CREATE FUNCTION expected_version_matches(p_expected_version bigint, p_exists boolean, p_version bigint)
  RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
  SELECT CASE
           WHEN p_expected_version = -1 THEN true
           WHEN p_expected_version = -2 THEN NOT p_exists
           WHEN p_expected_version = -3 THEN p_exists
           ELSE p_version = p_expected_version
         END;
$$;


-- append_to_stream(p_stream_id text, p_expected_version bigint, p_event_types text[],
--                  p_event_versions integer[], p_data jsonb[], p_metadata jsonb[])
--   RETURNS TABLE (first_version bigint, last_version bigint, event_ids bigint[])
-- Appends a whole batch to a stream in one statement: all events or none. The arrays are
-- parallel, one element per event, in stream order; p_event_versions may hold NULLs (version 1)
-- and p_metadata may be NULL or hold NULLs (no metadata). The stream's row in event_streams is
-- updated (or created) first, which locks it until the transaction ends, and the version check
-- follows on the row as it was: concurrent appends to one stream are serialised, and exactly one of
-- several with the same expected version wins. event_ids are in stream order. The events' created_at is the transaction's start, UTC.
-- Errors: ZE004 (stream id), ZE006 (expected version, empty batch, arrays of unequal length),
--         ZE005 (an event: type empty, blank or over 255 characters, version below 1, NULL data),
--         ZE002 (the stream is soft-deleted), ZE001 (wrong expected version).
CREATE FUNCTION append_to_stream(
    p_stream_id text,
    p_expected_version bigint,
    p_event_types text[],
    p_event_versions integer[],
    p_data jsonb[],
    p_metadata jsonb[])
  RETURNS TABLE (first_version bigint, last_version bigint, event_ids bigint[])
  LANGUAGE plpgsql VOLATILE
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
BEGIN
  PERFORM check_stream_id(p_stream_id);
  PERFORM check_expected_version(p_expected_version);
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
  IF v_bad_index IS NOT NULL THEN
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
  IF NOT expected_version_matches(p_expected_version, v_exists, v_version) THEN
    RAISE EXCEPTION 'wrong expected version for stream %: expected %, actual %', quote_literal(p_stream_id),
      CASE p_expected_version WHEN -2 THEN 'no stream' WHEN -3 THEN 'stream exists' ELSE p_expected_version::text END,
      CASE WHEN v_exists THEN v_version::text ELSE 'no stream' END
      USING ERRCODE = 'ZE001',
            DETAIL = format('stream_id=%s expected=%s actual=%s exists=%s', p_stream_id, p_expected_version, v_version,
                             CASE WHEN v_exists THEN 'true' ELSE 'false' END);
  END IF;

  WITH inserted AS (
    INSERT INTO events (stream_id, stream_version, event_type, event_version, data, metadata, created_at)
    SELECT p_stream_id, v_version + t.ord, t.event_type, coalesce(t.event_version, 1), t.data, t.metadata, v_now
      FROM unnest(p_event_types, p_event_versions, p_data, p_metadata)
           WITH ORDINALITY AS t(event_type, event_version, data, metadata, ord)
     ORDER BY t.ord
    RETURNING events.event_id, events.stream_version
  )
  SELECT array_agg(inserted.event_id ORDER BY inserted.stream_version) INTO v_ids FROM inserted;

  first_version := v_version + 1;
  last_version := v_version + v_count;
  event_ids := v_ids;
  RETURN NEXT;
END;
$$;


-- stream_for_read(p_stream_id text) RETURNS void
-- Shared by the stream reads: refuses an invalid stream id, a stream that does not exist and a
-- soft-deleted stream. Reads of a deleted stream are refused like appends: its events stay in
-- the table (they are immutable, and were published) and read_all_forward still returns them.
-- Errors: ZE004, ZE003 (no such stream), ZE002 (deleted).
CREATE FUNCTION stream_for_read(p_stream_id text) RETURNS void
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


-- check_page(p_position bigint, p_max_count integer) RETURNS void
-- Refuses a negative or NULL start position and a page size below 1.
-- Errors: ZE006.
CREATE FUNCTION check_page(p_position bigint, p_max_count integer) RETURNS void
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  IF p_position IS NULL OR p_position < 0 THEN
    RAISE EXCEPTION 'invalid read position %: must be 0 or more', coalesce(p_position::text, 'NULL')
      USING ERRCODE = 'ZE006';
  END IF;
  IF p_max_count IS NULL OR p_max_count < 1 THEN
    RAISE EXCEPTION 'invalid max count %: must be 1 or more', coalesce(p_max_count::text, 'NULL')
      USING ERRCODE = 'ZE006';
  END IF;
END;
$$;


-- read_stream_forward(p_stream_id text, p_from_version bigint, p_max_count integer)
--   RETURNS SETOF events
-- At most p_max_count events of the stream with stream_version >= p_from_version, in stream order.
-- Errors: ZE004, ZE006 (position, max count), ZE003 (no such stream), ZE002 (deleted).
CREATE FUNCTION read_stream_forward(p_stream_id text, p_from_version bigint, p_max_count integer)
  RETURNS SETOF events
  LANGUAGE plpgsql STABLE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  PERFORM check_page(p_from_version, p_max_count);
  PERFORM stream_for_read(p_stream_id);
  RETURN QUERY
    SELECT e.* FROM events e
     WHERE e.stream_id = p_stream_id AND e.stream_version >= p_from_version
     ORDER BY e.stream_version
     LIMIT p_max_count;
END;
$$;


-- read_stream_backward(p_stream_id text, p_from_version bigint, p_max_count integer)
--   RETURNS SETOF events
-- At most p_max_count events of the stream with stream_version <= p_from_version, newest first.
-- Pass 9223372036854775807 (Long.MAX_VALUE) to start at the stream's last event.
-- Errors: ZE004, ZE006 (position, max count), ZE003 (no such stream), ZE002 (deleted).
CREATE FUNCTION read_stream_backward(p_stream_id text, p_from_version bigint, p_max_count integer)
  RETURNS SETOF events
  LANGUAGE plpgsql STABLE
  SET search_path = "${flyway:defaultSchema}", pg_temp
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


-- read_all_forward(p_from_event_id bigint, p_max_count integer) RETURNS SETOF events
-- At most p_max_count events of every stream (deleted ones included) with event_id >=
-- p_from_event_id, by event_id. For export and administration only: event ids are taken from a
-- sequence at insert, not at commit, so a reader that follows them can skip an event committed
-- late. Never use it as a subscription mechanism.
-- Errors: ZE006 (position, max count).
CREATE FUNCTION read_all_forward(p_from_event_id bigint, p_max_count integer)
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


-- delete_stream(p_stream_id text, p_expected_version bigint) RETURNS timestamp
-- Soft delete: sets event_streams.deleted_at (UTC) and returns it. Events stay; later appends and
-- stream reads are refused. Expected version as for append_to_stream (NO_STREAM never matches).
-- Errors: ZE004, ZE006, ZE003 (no such stream), ZE002 (already deleted), ZE001.
CREATE FUNCTION delete_stream(p_stream_id text, p_expected_version bigint)
  RETURNS timestamp
  LANGUAGE plpgsql VOLATILE
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


-- check_subscription_id(p_subscription_id text) RETURNS void
-- A subscription id (a Kafka consumer group id) must be non-empty, not only whitespace, at most
-- 255 characters, without control characters.
-- Errors: ZE006.
CREATE FUNCTION check_subscription_id(p_subscription_id text) RETURNS void
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  IF p_subscription_id IS NULL OR p_subscription_id !~ '\S' OR char_length(p_subscription_id) > 255
     OR p_subscription_id ~ '[\u0001-\u001f\u007f-\u009f]' THEN
    RAISE EXCEPTION 'invalid subscription id: it must be 1 to 255 characters, not only whitespace, without control characters'
      USING ERRCODE = 'ZE006';
  END IF;
END;
$$;


-- record_subscription_position(p_subscription_id text, p_stream_id text, p_event_id bigint,
--                              p_stream_version bigint, p_metadata jsonb) RETURNS boolean
-- Creates or moves forward the position of a subscription (a consumer group) in a stream: the
-- last event it has seen and, in p_metadata, e.g. the Kafka topic, partition and offset of that
-- event. Rows only move forward: a position whose stream version is not greater than the
-- recorded one changes nothing (metadata included) and returns false; otherwise returns true.
-- Errors: ZE006 (subscription id; event id or stream version below 1), ZE004 (stream id),
--         23503 fk_subscriptions_stream (the stream does not exist).
CREATE FUNCTION record_subscription_position(
    p_subscription_id text,
    p_stream_id text,
    p_event_id bigint,
    p_stream_version bigint,
    p_metadata jsonb)
  RETURNS boolean
  LANGUAGE plpgsql VOLATILE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_now timestamp := (now() AT TIME ZONE 'UTC');
BEGIN
  PERFORM check_subscription_id(p_subscription_id);
  PERFORM check_stream_id(p_stream_id);
  IF p_event_id IS NULL OR p_event_id < 1 OR p_stream_version IS NULL OR p_stream_version < 1 THEN
    RAISE EXCEPTION 'invalid subscription position: event id % and stream version % must be 1 or more',
      coalesce(p_event_id::text, 'NULL'), coalesce(p_stream_version::text, 'NULL')
      USING ERRCODE = 'ZE006';
  END IF;
  INSERT INTO subscriptions AS s
         (subscription_id, stream_id, last_seen_event_id, last_seen_stream_version, created_at, updated_at, metadata)
  VALUES (p_subscription_id, p_stream_id, p_event_id, p_stream_version, v_now, v_now, p_metadata)
  ON CONFLICT (subscription_id, stream_id) DO UPDATE
     SET last_seen_event_id = EXCLUDED.last_seen_event_id,
         last_seen_stream_version = EXCLUDED.last_seen_stream_version,
         updated_at = EXCLUDED.updated_at,
         metadata = EXCLUDED.metadata
   WHERE s.last_seen_stream_version IS NULL
      OR s.last_seen_stream_version < EXCLUDED.last_seen_stream_version;
  RETURN FOUND;
END;
$$;


-- subscription_positions(p_subscription_id text) RETURNS SETOF subscriptions
-- Every recorded position of a subscription, by stream id.
-- Errors: ZE006 (subscription id).
CREATE FUNCTION subscription_positions(p_subscription_id text)
  RETURNS SETOF subscriptions
  LANGUAGE plpgsql STABLE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  PERFORM check_subscription_id(p_subscription_id);
  RETURN QUERY
    SELECT s.* FROM subscriptions s WHERE s.subscription_id = p_subscription_id ORDER BY s.stream_id;
END;
$$;


-- delete_subscription(p_subscription_id text, p_stream_id text) RETURNS integer
-- Deletes a subscription's position in one stream, or in every stream when p_stream_id is NULL;
-- returns the number of rows deleted (0 when there were none).
-- Errors: ZE006 (subscription id), ZE004 (a non-NULL stream id that is invalid).
CREATE FUNCTION delete_subscription(p_subscription_id text, p_stream_id text)
  RETURNS integer
  LANGUAGE plpgsql VOLATILE
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_deleted integer;
BEGIN
  PERFORM check_subscription_id(p_subscription_id);
  IF p_stream_id IS NOT NULL THEN
    PERFORM check_stream_id(p_stream_id);
  END IF;
  DELETE FROM subscriptions s
   WHERE s.subscription_id = p_subscription_id
     AND (p_stream_id IS NULL OR s.stream_id = p_stream_id);
  GET DIAGNOSTICS v_deleted = ROW_COUNT;
  RETURN v_deleted;
END;
$$;


-- refuse_event_changes() RETURNS trigger
-- Statement-level trigger function of events: refuses UPDATE, DELETE and TRUNCATE unless the
-- setting eventstore.maintenance is 'on' (SET LOCAL eventstore.maintenance = 'on' inside the
-- transaction, as reset does). Events are immutable: they are published to Kafka as they are.
-- Errors: ZE007.
CREATE FUNCTION refuse_event_changes() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  IF coalesce(current_setting('eventstore.maintenance', true), '') <> 'on' THEN
    RAISE EXCEPTION 'events are immutable: % on events is refused', TG_OP
      USING ERRCODE = 'ZE007',
            HINT = 'maintenance only: SET LOCAL eventstore.maintenance = ''on'' in the same transaction';
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER events_immutable
  BEFORE UPDATE OR DELETE OR TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_changes();
