-- The publish checkpoint of one bridge (see the migration V20240000000005 for its meaning).
-- Parameters: 1 = bridge name (text).
-- Returns at most one row. A published_below_event_id or recovery_from_event_id above the next id
-- the sequence would hand out was not proven by a bridge (every id it counts came from the
-- sequence): it is returned as 1, so that the advised republish starts at the first event and
-- skips none, rather than from an id that would skip every real event.
SELECT c.bridge_name, c.system_identifier, c.database_name, c.slot_name, c.acknowledged_lsn::text AS acknowledged_lsn,
       CASE WHEN c.published_below_event_id > q.next_event_id THEN 1 ELSE c.published_below_event_id END
         AS published_below_event_id,
       c.recorded_at, c.recovery_reason,
       CASE WHEN c.recovery_from_event_id > q.next_event_id THEN 1 ELSE c.recovery_from_event_id END
         AS recovery_from_event_id,
       c.recovery_noted_at
  FROM ${schema}.cdc_checkpoints c
  CROSS JOIN (SELECT CASE WHEN s.is_called THEN s.last_value + 1 ELSE s.last_value END AS next_event_id
                FROM ${schema}.events_event_id_seq s) q
 WHERE c.bridge_name = ?;
