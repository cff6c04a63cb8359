-- Every recorded event topic with its Kafka topic id and when that id was recorded.
-- Parameters: none.
SELECT topic, topic_id, recorded_at FROM ${schema}.cdc_topics ORDER BY topic;
