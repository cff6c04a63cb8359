-- Replaces or merges (jsonb ||, shallow) a stream's metadata; the stream's version stays.
-- Parameters: 1 = stream id (text), 2 = metadata (JSON object text), 3 = merge (boolean: true
--   merges, false replaces).
-- Returns one row: metadata (JSON text), what the stream now holds.
-- Errors: not an object or over the size limit (ZE006), stream not found (ZE003), deleted (ZE002).
SELECT ${schema}.set_stream_metadata(?, ?::jsonb, ?)::text AS metadata;
