package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.schema.StoreCounts;
import dev.eventstore.testing.SharedStoreExtension;
import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Events are immutable: the trigger refuses UPDATE, DELETE and TRUNCATE outside maintenance. */
@ExtendWith(SharedStoreExtension.class)
class ImmutabilityIT {

    private final String events = SharedStoreExtension.eventStore().schema() + ".events";

    @Test
    void updateOfAnEventIsRefused() {
        createTestStream("game-1", 2);
        assertThatThrownBy(() -> TestDatabase.get().execute("UPDATE " + events + " SET event_type = 'Forged' WHERE stream_version = 1"))
                .hasMessageContaining("events are immutable: UPDATE on events is refused")
                .cause().isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("ZE007"));
        assertThat(SharedStoreExtension.eventStore().readStreamForward("game-1", 1, 1).get(0).eventType()).isEqualTo("TestEvent");
    }

    @Test
    void deleteOfAnEventIsRefused() {
        createTestStream("game-1", 2);
        assertThatThrownBy(() -> TestDatabase.get().execute("DELETE FROM " + events + " WHERE stream_version = 2"))
                .hasMessageContaining("events are immutable: DELETE on events is refused");
        assertThat(SharedStoreExtension.counts().events()).isEqualTo(2);
    }

    @Test
    void truncateOfEventsIsRefused() {
        createTestStream("game-1", 2);
        assertThatThrownBy(() -> TestDatabase.get().execute("TRUNCATE " + events + " CASCADE"))
                .hasMessageContaining("events are immutable: TRUNCATE on events is refused");
        assertThat(SharedStoreExtension.counts().events()).isEqualTo(2);
    }

    @Test
    void maintenanceSettingInTheTransactionAllowsUpdateAndDelete() throws Exception {
        createTestStream("game-1", 2);
        try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("SET LOCAL eventstore.maintenance = 'on'");
            assertThat(statement.executeUpdate("UPDATE " + events + " SET event_type = 'Fixed' WHERE stream_version = 1")).isEqualTo(1);
            assertThat(statement.executeUpdate("DELETE FROM " + events + " WHERE stream_version = 2")).isEqualTo(1);
            connection.commit();
            // SET LOCAL ended with the transaction: the next one is refused again.
            assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM " + events)).hasMessageContaining("events are immutable");
            connection.rollback();
        }
        assertThat(SharedStoreExtension.eventStore().readStreamForward("game-1", 1, 10))
                .extracting(RecordedEvent::eventType).containsExactly("Fixed");
    }

    @Test
    void resetStillWorksThroughTheMaintenancePath() {
        createTestStream("game-1", 2);
        assertThat(SharedStoreExtension.reset()).isEqualTo(new StoreCounts(2, 1, 0));
        assertThat(SharedStoreExtension.counts()).isEqualTo(new StoreCounts(0, 0, 0));
    }
}
