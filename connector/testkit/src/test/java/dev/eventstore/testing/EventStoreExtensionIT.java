package dev.eventstore.testing;

import static dev.eventstore.testing.EventStoreExtension.createTestEvent;
import static dev.eventstore.testing.EventStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventStore;
import dev.eventstore.EventStoreConfig;
import dev.eventstore.RecordedEvent;
import dev.eventstore.schema.SchemaName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension as a user's project writes it: {@code @ExtendWith}, defaults, injection. */
@ExtendWith(EventStoreExtension.class)
class EventStoreExtensionIT {

    private final EventStore store;

    EventStoreExtensionIT(EventStore store) {
        this.store = store;
    }

    @Test
    void appendsAndReadsWithNoOtherSetup(EventStore injected) {
        createTestStream("game-1", List.of(
                createTestEvent("GameStarted", Map.of("mode", "race")),
                createTestEvent("GuessProcessed", Map.of("player", "p1", "correct", true))));

        List<RecordedEvent> events = injected.readStreamForward("game-1", 1, 10);
        assertThat(events).extracting(RecordedEvent::eventType).containsExactly("GameStarted", "GuessProcessed");
        assertThat(events.get(0).data()).contains("\"mode\"").contains("\"race\"");
        assertThat(events.get(0).metadata()).contains("\"test\"").contains("true");
        assertThat(injected).isSameAs(store);
    }

    /** Each repetition finds the store empty: the extension resets it before each test. */
    @RepeatedTest(3)
    void everyTestStartsEmpty(EventStore store) {
        assertThat(store.schemaManager().counts().events()).isZero();
        createTestStream("game-2", 2);
        assertThat(store.schemaManager().counts().events()).isEqualTo(2);
    }

    @Test
    void injectsTheDataSourceConfigAndSchemaOfTheSameStore(DataSource dataSource, EventStoreConfig config,
                                                            SchemaName schema) throws Exception {
        assertThat(config.schema()).isEqualTo(schema).isEqualTo(store.schema());
        assertThat(schema.value()).startsWith("eventstoreextensionit_");
        createTestStream("game-3", 1);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + schema.value() + ".events")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
    }
}
