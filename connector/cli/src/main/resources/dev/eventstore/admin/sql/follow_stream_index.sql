-- Keeps the stream pages of this transaction on the (stream_id, stream_version) index: sorting is
-- off until the transaction ends (why: migration V20240000000010).
-- Parameters: none.
SELECT set_config('enable_sort', 'off', true);
