package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.AppendResult;
import dev.eventstore.AwaitTimeoutException;
import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A hard delete takes the streams' published positions with it: a stream created again under the
 * same id is not in Kafka because its predecessor was.
 */
class CleanupPublishedPositionsIT {

    private static final String SCHEMA = "cleanup_published_it";
    private static final TestDatabase database = TestDatabase.get();

    @Test
    void aStreamCreatedAgainAfterAHardDeleteIsNotInKafkaBecauseItsPredecessorWas() throws Exception {
        database.dropSchema(SCHEMA);
        new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        try (EventStore store = EventStore.builder(database.dataSource()).schema(SchemaName.of(SCHEMA)).build()) {
            AppendResult old = store.append("game-gone", ExpectedVersion.NO_STREAM,
                    EventData.of("GameStarted", "{}"), EventData.of("GameEnded", "{}"));
            // The bridge recorded both in Kafka.
            database.execute("INSERT INTO " + SCHEMA + ".published_streams (stream_id, last_published_event_id,"
                    + " last_published_stream_version, topic, kafka_partition, kafka_offset) VALUES ('game-gone', "
                    + old.eventIds().get(1) + ", 2, 'eventstore.game', 0, 1)");
            store.deleteStream("game-gone", ExpectedVersion.ANY);
            database.execute("UPDATE " + SCHEMA + ".event_streams SET deleted_at = deleted_at - interval '100 days'"
                    + " WHERE stream_id = 'game-gone'");

            Cli cli = new Cli();
            new BridgeTestAccess().environment().forEach(cli::with);
            cli.with("EVENTSTORE_SCHEMA", SCHEMA);
            Cli.Result deleted = cli.run("cleanup", "--hard-delete-streams-older-than", "90d", "--force");
            assertThat(deleted.exitCode()).as(deleted.all()).isZero();

            // The same id again, from version 1, with no bridge running: nothing of it is in Kafka.
            AppendResult again = store.append("game-gone", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
            assertThat(again.lastVersion()).isEqualTo(1);
            assertThatThrownBy(() -> store.awaitPublished(again, Duration.ofMillis(500)))
                    .isInstanceOf(AwaitTimeoutException.class)
                    .hasMessageContaining("no event of the stream is known to be");
        } finally {
            database.dropSchema(SCHEMA);
        }
    }
}
