-- Pages of a stream are read along the (stream_id, stream_version) index whatever the statistics
-- say: the same functions as V20240000000001, with sorting disabled inside them.
--
-- Why: the statistics describe the streams they sampled. A long stream written since the last
-- ANALYZE (or a database restored by pg_restore, which keeps no statistics) is estimated at a few
-- rows, like the many short streams, and PostgreSQL then prefers a bitmap scan of every event of
-- the stream from the page's start plus a sort, on every page: a catch-up of a long stream costs
-- the square of its length. Measured on a 100,000-event stream: 52 ms for a page of 1,000 events
-- against 0.6 ms along the index; in the benchmark, a catch-up ran at 12,910 instead of about
-- 100,000 events/s (BENCHMARKS.md). Without sorting, the only plan left is the index in stream
-- order, which reads exactly the page. ReadPlanIT checks the plans with auto_explain.
-- The library's streaming read and republish --stream do the same in their transactions
-- (set_config('enable_sort', 'off', true)).

ALTER FUNCTION read_stream_forward(text, bigint, integer) SET enable_sort = off;
ALTER FUNCTION read_stream_backward(text, bigint, integer) SET enable_sort = off;
