-- Disk used by each table of the store and its estimated row count.
-- Parameters: none (${schema} is the validated event store schema).
SELECT table_name, total_bytes, table_bytes, index_bytes, estimated_rows
  FROM ${schema}.monitor_table_sizes;
