-- Whether a replication slot survives a PostgreSQL failover (PostgreSQL 17 and later only: the
-- columns failover and synced and the setting synchronized_standby_slots are new there).
-- Parameters: 1 = slot name.
-- Returns zero or one row: failover (the slot is a failover slot), synced (this server is a standby
--   and the slot is its synchronised copy), temporary (a copy not yet usable after a promotion),
--   standby_slots (synchronized_standby_slots: the physical slots of the standbys logical decoding
--   waits for, with whether each is active; NULL when the setting is empty).
SELECT s.failover,
       s.synced,
       s.temporary,
       (SELECT string_agg(p.slot_name || CASE WHEN p.active THEN ' (active)' ELSE ' (INACTIVE)' END, ', '
                          ORDER BY p.slot_name)
          FROM pg_catalog.pg_replication_slots p
         WHERE p.slot_type = 'physical'
           AND p.slot_name = ANY (string_to_array(replace(current_setting('synchronized_standby_slots', true), ' ', ''), ',')))
         AS standby_slots
  FROM pg_catalog.pg_replication_slots s
 WHERE s.slot_name = ?;
