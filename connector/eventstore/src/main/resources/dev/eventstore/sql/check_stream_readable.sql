-- Checks that a stream can be read: it exists and is not deleted. Run first, in the same
-- transaction, by the streaming read (read_stream_events), which it also keeps on the stream's
-- index: sorting is off until the transaction ends (why: migration V20240000000010).
-- Parameters: 1 = stream id (text).
-- Returns one row (no useful value).
-- Errors: stream not found (ZE003), deleted (ZE002), invalid stream id (ZE004).
SELECT ${schema}.stream_for_read(?), set_config('enable_sort', 'off', true);
