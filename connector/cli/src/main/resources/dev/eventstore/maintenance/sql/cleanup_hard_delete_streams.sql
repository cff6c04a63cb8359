-- Deletes the rows of some streams (their events and subscription rows first) and their published
-- positions, so that a stream created again under the same id is waited for from its first event.
-- Parameters: 1 = stream ids (text[]), 2 = the same stream ids (text[]).
WITH published AS (
  DELETE FROM ${schema}.published_streams WHERE stream_id = ANY (?)
)
DELETE FROM ${schema}.event_streams WHERE stream_id = ANY (?);
