package dev.eventstore.bridge;

/**
 * A replication slot as {@code pg_replication_slots} shows it.
 *
 * @param walStatus reserved, extended, unreserved or lost (PostgreSQL 13+)
 * @param retainedBytes WAL the server keeps for this slot (current LSN minus restart LSN)
 * @param lagBytes WAL not yet confirmed by the bridge (current LSN minus confirmed flush LSN)
 */
record ReplicationSlot(String name, String plugin, String database, boolean active, Integer activePid,
                       String walStatus, long retainedBytes, long lagBytes) {
}
