-- Notes that a bridge refused to resume and what it advised; the first note wins, so every
-- later refusal repeats the same advice until `run --reset-offsets` deletes the checkpoint.
-- Parameters: 1 = reason (text), 2 = republish from this event id (bigint), 3 = bridge name (text).
UPDATE ${schema}.cdc_checkpoints
   SET recovery_reason = ?, recovery_from_event_id = ?, recovery_noted_at = now() AT TIME ZONE 'UTC'
 WHERE bridge_name = ?
   AND recovery_reason IS NULL;
