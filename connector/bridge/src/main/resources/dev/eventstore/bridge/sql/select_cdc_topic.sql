-- The Kafka topic id recorded for one event topic (no row: none recorded yet).
-- Parameters: 1 = topic (text).
SELECT topic_id, recorded_at FROM ${schema}.cdc_topics WHERE topic = ?;
