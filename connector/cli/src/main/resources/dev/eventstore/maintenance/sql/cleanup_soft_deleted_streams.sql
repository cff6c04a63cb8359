-- How many streams are soft-deleted, and how many of them before the cutoff.
-- Parameters: 1 = cutoff (timestamp, UTC).
SELECT count(*) AS deleted, count(*) FILTER (WHERE deleted_at < ?) AS due
  FROM ${schema}.event_streams
 WHERE deleted_at IS NOT NULL;
