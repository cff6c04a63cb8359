-- Forgets a bridge's publish checkpoint (run --reset-offsets), a pending recovery included.
-- Parameters: 1 = bridge name (text).
DELETE FROM ${schema}.cdc_checkpoints WHERE bridge_name = ?;
