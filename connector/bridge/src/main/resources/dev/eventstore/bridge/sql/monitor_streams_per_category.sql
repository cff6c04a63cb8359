-- Stream counts and sizes per category.
-- Parameters: none (${schema} is the validated event store schema).
SELECT category, streams, deleted_streams, events, largest_stream_events, average_stream_events, last_updated_at
  FROM ${schema}.monitor_streams_per_category;
