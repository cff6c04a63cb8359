package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.AppendResult;
import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code eventstore wait} on the real PostgreSQL: exit 0 once a group records the event, exit 4
 * with where the stream stands when the time runs out, exit 2 for an event that does not exist.
 * (Waits until published, against a real bridge and Kafka, are in the bridge's ReadYourWritesIT.)
 */
class WaitCommandIT {

    static final String SCHEMA = "cli_wait_it";

    private final TestDatabase database = TestDatabase.get();
    private final Cli cli = new Cli()
            .with(ConnectionSettings.ENV_URL, database.settings().url())
            .with(ConnectionSettings.ENV_USER, database.settings().user())
            .with(DatabaseOptions.ENV_SCHEMA, SCHEMA);
    private EventStore store;
    private AppendResult appended;

    @BeforeEach
    void migrate() {
        database.dropSchema(SCHEMA);
        new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        store = EventStore.builder(database.dataSource()).schema(SchemaName.of(SCHEMA)).build();
        appended = store.append("game-1", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"),
                EventData.of("GameEnded", "{}"));
    }

    @AfterEach
    void drop() {
        store.close();
        database.dropSchema(SCHEMA);
    }

    @Test
    void returnsOnceTheGroupHasConsumedTheEvent() throws Exception {
        long eventId = appended.eventIds().get(1);
        CompletableFuture<Cli.Result> waiting = CompletableFuture.supplyAsync(
                () -> cli.run("wait", "--event-id", String.valueOf(eventId), "--group", "leaderboard", "--timeout", "60s"));
        store.subscriptions().recordPosition("leaderboard", "game-1", appended.eventIds().get(0), 1, null);
        store.subscriptions().recordPosition("leaderboard", "game-1", eventId, 2, null);

        Cli.Result done = waiting.get(90, TimeUnit.SECONDS);
        assertThat(done.exitCode()).as(done.all()).isZero();
        assertThat(done.out()).isEqualTo("Event " + eventId + " is consumed by group leaderboard.\n");
    }

    @Test
    void timesOutWithExitFourNamingWhereTheStreamStands() throws Exception {
        long eventId = appended.eventIds().get(1);
        store.subscriptions().recordPosition("leaderboard", "game-1", appended.eventIds().get(0), 1,
                "{\"topic\":\"events.game\",\"partition\":2,\"offset\":41}");

        Cli.Result late = cli.run("wait", "--event-id", String.valueOf(eventId), "--group", "leaderboard", "--timeout", "1s");
        assertThat(late.exitCode()).as(late.all()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(late.err()).isEqualTo("eventstore: event " + eventId + " (stream game-1, version 2) is not consumed by group leaderboard"
                + " after 1 s: the group has consumed it to version 1 (topic events.game, partition 2, offset 41); the event"
                + " is not in Kafka yet\n");

        Cli.Result unpublished = cli.run("wait", "--event-id", String.valueOf(eventId), "--timeout", "PT0.5S", "--json");
        assertThat(unpublished.exitCode()).as(unpublished.all()).isEqualTo(ExitCodes.TIMED_OUT);
        JsonNode json = new ObjectMapper().readTree(unpublished.out());
        assertThat(json.get("reached").asBoolean()).isFalse();
        assertThat(json.get("detail").asText()).startsWith("event " + eventId + " (stream game-1, version 2) is not in Kafka"
                + " after 500 ms: no event of the stream is known to be");
    }

    @Test
    void anEventThatDoesNotExistIsAUsageError() {
        Cli.Result missing = cli.run("wait", "--event-id", "999999999", "--timeout", "1s");
        assertThat(missing.exitCode()).as(missing.all()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).isEqualTo("eventstore: no event has id 999999999\n");

        Cli.Result badGroup = cli.run("wait", "--event-id", String.valueOf(appended.eventIds().get(0)), "--group", " ");
        assertThat(badGroup.exitCode()).as(badGroup.all()).isEqualTo(ExitCodes.USAGE);
        assertThat(badGroup.err().lines().count()).isEqualTo(1);
    }
}
