-- The publish checkpoint of one bridge (see the migration V20240000000005 for its meaning).
-- Parameters: 1 = bridge name (text).
-- Returns at most one row. published_below_event_id and recovery_from_event_id are never above
-- the next id the sequence would hand out: an id it never handed out was not published, and a
-- republish advised from above it would skip events.
SELECT c.bridge_name, c.system_identifier, c.database_name, c.slot_name, c.acknowledged_lsn::text AS acknowledged_lsn,
       least(c.published_below_event_id, greatest(q.next_event_id, 1)) AS published_below_event_id, c.recorded_at,
       c.recovery_reason,
       -- least() skips NULLs: a checkpoint without recovery advice stays without.
       CASE WHEN c.recovery_from_event_id IS NOT NULL
            THEN least(c.recovery_from_event_id, greatest(q.next_event_id, 1)) END AS recovery_from_event_id,
       c.recovery_noted_at
  FROM ${schema}.cdc_checkpoints c
  CROSS JOIN (SELECT CASE WHEN s.is_called THEN s.last_value + 1 ELSE s.last_value END AS next_event_id
                FROM ${schema}.events_event_id_seq s) q
 WHERE c.bridge_name = ?;
