-- Deletes every event, stream and subscription (development only: `eventstore reset --force`).
-- Parameters: none (${schema} is the validated event store schema).
-- Runs in one transaction with the maintenance setting on, which the immutability trigger of
-- the events table requires. Event ids are NOT restarted: records already published to Kafka
-- carry them as ce_id, and a consumer that deduplicates by ce_id must never see one reused.
SET LOCAL eventstore.maintenance = 'on';
TRUNCATE TABLE ${schema}.subscriptions, ${schema}.subscription_owners, ${schema}.events, ${schema}.event_streams;
-- The offset mirror's positions and the published positions describe what was just deleted.
TRUNCATE TABLE ${schema}.mirror_positions, ${schema}.published_streams;
