-- Records where a running bridge's offsets are written and how far Kafka has acknowledged.
-- The watermark only rises while the server and slot stay the same; a row of another server or
-- slot is replaced (the bridge only runs once its start-up checks accepted the offsets). A stored
-- watermark above every id the sequence has handed out (not written by the bridge) is brought
-- down to the new one rather than kept.
-- Parameters: 1 = bridge name (text), 2 = system identifier (bigint), 3 = database name (text),
--   4 = slot name (text), 5 = acknowledged WAL position (text, pg_lsn, or NULL),
--   6 = published below this event id (bigint, at least 1).
INSERT INTO ${schema}.cdc_checkpoints AS c
       (bridge_name, system_identifier, database_name, slot_name, acknowledged_lsn, published_below_event_id, recorded_at)
VALUES (?, ?, ?, ?, ?::pg_lsn, ?, now() AT TIME ZONE 'UTC')
ON CONFLICT (bridge_name) DO UPDATE
   SET published_below_event_id = CASE
         WHEN c.system_identifier = excluded.system_identifier AND c.database_name = excluded.database_name
              AND c.slot_name = excluded.slot_name
              AND c.published_below_event_id <= (SELECT CASE WHEN q.is_called THEN q.last_value + 1 ELSE q.last_value END
                                                   FROM ${schema}.events_event_id_seq q)
         THEN greatest(c.published_below_event_id, excluded.published_below_event_id)
         ELSE excluded.published_below_event_id END,
       acknowledged_lsn = coalesce(excluded.acknowledged_lsn, c.acknowledged_lsn),
       system_identifier = excluded.system_identifier,
       database_name = excluded.database_name,
       slot_name = excluded.slot_name,
       recorded_at = excluded.recorded_at,
       recovery_reason = NULL,
       recovery_from_event_id = NULL,
       recovery_noted_at = NULL;
