-- Which of the given streams exist, so the mirror skips records of unknown streams.
-- Parameters: 1 = stream ids (text[]).
SELECT stream_id FROM ${schema}.event_streams WHERE stream_id = ANY (?);
