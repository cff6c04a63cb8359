package dev.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.SharedStoreExtension;
import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A store opened from configuration: pooled sessions in UTC, TLS settings reaching the driver. */
class EventStoreConfigIT {

    private static EventStoreConfig config() {
        SharedStoreExtension.eventStore(); // the default schema, migrated
        return EventStoreConfig.of(TestDatabase.get().settings(), SchemaName.defaultSchema())
                .with(EventStoreConfig.POOL_MAX_SIZE, "2")
                .with(EventStoreConfig.APPLICATION_NAME, "config-it");
    }

    @Test
    void pooledSessionsRunInUtcWithTheApplicationName() throws Exception {
        try (EventStore store = EventStore.open(config().with(EventStoreConfig.SSL_MODE, "disable"))) {
            try (Connection connection = store.dataSource().getConnection(); Statement statement = connection.createStatement()) {
                try (ResultSet rs = statement.executeQuery("SELECT current_setting('TimeZone'), current_setting('application_name')")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("UTC");
                    assertThat(rs.getString(2)).isEqualTo("config-it");
                }
            }
            AppendResult result = store.append("config-1", ExpectedVersion.ANY, List.of(EventData.of("TestEvent", "{}")));
            assertThat(result.lastVersion()).isGreaterThanOrEqualTo(1);
        }
    }

    /** The embedded server has no TLS: sslmode=require reaching the driver makes the pool fail to open, in one line. */
    @Test
    void sslModeReachesTheDriver() {
        assertThatThrownBy(() -> EventStore.open(config().with(EventStoreConfig.SSL_MODE, "require")))
                .isInstanceOf(EventStoreException.class)
                .hasMessageStartingWith("cannot open the event store's connection pool to jdbc:postgresql://")
                .hasMessageContaining("sslmode=require")
                .hasMessageContaining("SSL");
    }
}
