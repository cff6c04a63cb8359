-- Every recorded event topic with its Kafka topic id, for verify's advice on lost topics.
-- Parameters: none.
SELECT topic, topic_id FROM ${schema}.cdc_topics ORDER BY topic;
