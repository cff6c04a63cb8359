package dev.eventstore.bridge;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.jdbc.PostgresErrors;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Debezium's embedded engine and PostgreSQL connector settings, derived from the bridge's
 * configuration. Everything an operator may need to change is a {@link BridgeConfig} key; the
 * rest is fixed here, with the reason beside it.
 */
final class DebeziumSettings {

    private DebeziumSettings() {
    }

    static Properties from(BridgeConfig config) {
        ConnectionSettings db = config.connection();
        String schema = config.schema().value();
        Properties url = parseUrl(db.url());
        Properties p = new Properties();

        p.setProperty("name", config.name());
        // Debezium's PostgreSQL connector, its task checked before every start, including the restarts
        // Debezium makes by itself after a lost connection, which bypass Preflight: a dropped,
        // replaced or invalidated slot and a refused login stop the bridge with one clear line
        // (see SlotGuardingTask).
        p.setProperty("connector.class", SlotGuardingConnector.class.getName());
        // Offsets live beside the slot, in the event store's database.
        p.setProperty("offset.storage", PostgresOffsetBackingStore.class.getName());
        p.setProperty(PostgresOffsetBackingStore.KEY_URL, db.url());
        p.setProperty(PostgresOffsetBackingStore.KEY_SCHEMA, schema);
        if (db.user() != null) {
            p.setProperty(PostgresOffsetBackingStore.KEY_USER, db.user());
        }
        if (db.password() != null) {
            p.setProperty(PostgresOffsetBackingStore.KEY_PASSWORD, db.password());
        }
        p.setProperty("offset.flush.interval.ms", Long.toString(config.getLong(BridgeConfig.Key.OFFSET_FLUSH_INTERVAL_MS)));
        p.setProperty("offset.flush.timeout.ms", "10000");

        // The replication connection: the JDBC URL's host, port, database and TLS parameters.
        p.setProperty("database.hostname", url.getProperty("PGHOST").split(",")[0]);
        p.setProperty("database.port", url.getProperty("PGPORT").split(",")[0]);
        p.setProperty("database.dbname", url.getProperty("PGDBNAME"));
        if (db.user() != null) {
            p.setProperty("database.user", db.user());
        }
        if (db.password() != null) {
            p.setProperty("database.password", db.password());
        }
        for (String tls : new String[] {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword"}) {
            if (url.getProperty(tls) != null) {
                p.setProperty("database." + tls, url.getProperty(tls));
            }
        }

        // Debezium's own topic names are only an intermediate: the event record transform renames.
        p.setProperty("topic.prefix", config.name());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("slot.drop.on.stop", "false");
        p.setProperty("slot.failover", Boolean.toString(config.getBoolean(BridgeConfig.Key.SLOT_FAILOVER)));
        p.setProperty("publication.name", config.publicationName());
        // The migration creates the publication: the bridge's role needs no table ownership.
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", schema + "\\.events," + schema + "\\.cdc_heartbeat");
        p.setProperty("snapshot.mode", config.getString(BridgeConfig.Key.SNAPSHOT_MODE));
        // A snapshot must publish each stream's events in version order, like the WAL does.
        p.setProperty("snapshot.select.statement.overrides", schema + ".events");
        p.setProperty("snapshot.select.statement.overrides." + schema + ".events",
                "SELECT * FROM " + schema + ".events ORDER BY stream_id, stream_version");
        p.setProperty("tombstones.on.delete", "false");

        p.setProperty("poll.interval.ms", Long.toString(config.getLong(BridgeConfig.Key.POLL_INTERVAL_MS)));
        p.setProperty(SlotGuardingTask.IDLE_PAUSE_KEY, Long.toString(config.getLong(BridgeConfig.Key.POLL_IDLE_PAUSE_MS)));
        p.setProperty("max.batch.size", Integer.toString(config.getInt(BridgeConfig.Key.MAX_BATCH_SIZE)));
        p.setProperty("max.queue.size", Integer.toString(config.getInt(BridgeConfig.Key.MAX_QUEUE_SIZE)));
        // Counted by size, never in bytes: SlotGuardingTask takes records from the queue without
        // Debezium's byte accounting, which would otherwise never count down.
        p.setProperty("max.queue.size.in.bytes", "0");

        int heartbeat = config.getInt(BridgeConfig.Key.HEARTBEAT_INTERVAL_MS);
        if (heartbeat > 0) {
            p.setProperty("heartbeat.interval.ms", Integer.toString(heartbeat));
            p.setProperty("heartbeat.action.query", "INSERT INTO " + schema + ".cdc_heartbeat (id, beat_at)"
                    + " VALUES (1, now() AT TIME ZONE 'UTC')"
                    + " ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at");
        }
        // Latency statistics the bridge does not read. The streaming meter's lag queue ignores
        // this setting; logback.xml silences its overflow warnings.
        p.setProperty("statistics.metrics.enabled", "false");
        return p;
    }

    private static Properties parseUrl(String jdbcUrl) {
        Properties parsed = Driver.parseURL(jdbcUrl, null);
        if (parsed == null || parsed.getProperty("PGDBNAME") == null || parsed.getProperty("PGDBNAME").isEmpty()) {
            throw new BridgeException("cannot read host, port and database from " + PostgresErrors.mask(jdbcUrl));
        }
        return parsed;
    }

}
