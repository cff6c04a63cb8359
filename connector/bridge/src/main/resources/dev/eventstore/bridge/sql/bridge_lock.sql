-- Takes a store's bridge lock (lock space 'ESBR') or offset mirror lock ('ESMR') without waiting: a
-- session-level advisory lock whose 64-bit key is
-- the lock space (high 32 bits, pg_locks.classid) and the OID of the store's schema (low 32 bits,
-- pg_locks.objid; objsubid 1). Advisory locks belong to the current database, and a schema's OID is
-- unique in it, so two stores of one database have distinct keys and every bridge of one store has
-- the same key, whatever its bridge.name or slot.name. Held until pg_advisory_unlock or the session ends.
-- Parameters: 1 = lock space (bigint), 2 = schema name (text).
-- Returns no row when the schema does not exist, else one: acquired (boolean).
SELECT pg_catalog.pg_try_advisory_lock((?::bigint << 32) | n.oid::bigint) AS acquired
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname = ?;
