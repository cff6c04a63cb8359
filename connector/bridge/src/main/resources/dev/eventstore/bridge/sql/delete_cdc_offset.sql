-- Removes one Debezium offset (Kafka Connect writes a null value to forget a partition).
-- Parameters: 1 = offset_key (text).
DELETE FROM ${schema}.cdc_offsets WHERE offset_key = ?;
