-- Each bridge's recorded slot, whether that slot exists in this database, and whether a recovery
-- is pending (its offsets are then the evidence the operator needs: never cleaned).
-- Parameters: none (${schema} is the validated event store schema).
SELECT c.bridge_name, c.slot_name, c.recovery_reason IS NOT NULL AS recovery_pending,
       EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots s
                WHERE s.slot_name = c.slot_name AND s.database = pg_catalog.current_database()) AS slot_exists
  FROM ${schema}.cdc_checkpoints c;
