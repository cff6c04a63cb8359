package dev.eventstore.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * What {@code status} says of a slot's fate in a failover, on a primary without standbys: a slot
 * made without the failover option is named as one a failover loses; a failover slot with no
 * {@code synchronized_standby_slots} is named as one that may run ahead of the standby. The
 * primary-and-standby case is in {@code PostgresFailoverIT}.
 */
class SlotFailoverStatusIT {

    @Test
    void aSlotWithoutTheFailoverOptionAndOneWithoutStandbySlotsAreNamed() throws Exception {
        try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_create_logical_replication_slot('status_plain_slot', 'pgoutput', false, false, false)");
            statement.execute("SELECT pg_create_logical_replication_slot('status_failover_slot', 'pgoutput', false, false, true)");
            try {
                assertThat(StatusReport.failover(connection, "status_plain_slot"))
                        .startsWith("NOT a failover slot: a failover loses it");
                assertThat(StatusReport.failover(connection, "status_failover_slot"))
                        .startsWith("failover slot; synchronized_standby_slots is empty");
                assertThat(StatusReport.failover(connection, "no_such_slot")).isNull();
            } finally {
                statement.execute("SELECT pg_drop_replication_slot('status_plain_slot')");
                statement.execute("SELECT pg_drop_replication_slot('status_failover_slot')");
            }
        }
    }
}
