-- Deletes the rows of some streams (their events and subscription rows first).
-- Parameters: 1 = stream ids (text[]).
DELETE FROM ${schema}.event_streams WHERE stream_id = ANY (?);
