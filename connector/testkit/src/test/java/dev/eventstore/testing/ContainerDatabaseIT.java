package dev.eventstore.testing;

import static dev.eventstore.testing.EventStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventStore;
import dev.eventstore.EventStoreConfig;
import dev.eventstore.testing.EventStoreExtension.Database;
import org.junit.jupiter.api.Test;

/**
 * The Testcontainers database: runs where Docker answers; elsewhere the class is skipped with one
 * line saying why ({@link DockerAbsentIT} checks that line).
 */
@EventStoreTest(database = Database.CONTAINER)
class ContainerDatabaseIT {

    @Test
    void appendsAndReadsInAPostgresContainer(EventStore store, EventStoreConfig config) {
        assertThat(config.url()).startsWith("jdbc:postgresql://");
        createTestStream("game-1", 3);
        assertThat(store.readStreamForward("game-1", 1, 10)).hasSize(3);
    }
}
