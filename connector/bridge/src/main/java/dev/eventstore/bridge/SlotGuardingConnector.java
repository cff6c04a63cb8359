package dev.eventstore.bridge;

import io.debezium.connector.postgresql.PostgresConnector;
import org.apache.kafka.connect.connector.Task;

/**
 * Debezium's PostgreSQL connector whose task checks the replication slot against the bridge's
 * stored offsets each time it starts, including the restarts Debezium makes by itself after a
 * lost connection (see {@link SlotGuardingTask}). The bridge runs this class instead of
 * {@link PostgresConnector}; everything else is Debezium's.
 */
public class SlotGuardingConnector extends PostgresConnector {

    @Override
    public Class<? extends Task> taskClass() {
        return SlotGuardingTask.class;
    }
}
