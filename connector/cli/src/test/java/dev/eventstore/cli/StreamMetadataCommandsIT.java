package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.EventData;
import dev.eventstore.EventStore;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** stream metadata (show, --set, --merge) and streams --metadata through the command line, on the real PostgreSQL. */
class StreamMetadataCommandsIT {

    static final String SCHEMA = "cli_meta_it";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final TestDatabase database = TestDatabase.get();
    private final Cli cli = new Cli()
            .with(ConnectionSettings.ENV_URL, database.settings().url())
            .with(ConnectionSettings.ENV_USER, database.settings().user())
            .with(DatabaseOptions.ENV_SCHEMA, SCHEMA);
    private EventStore store;

    @BeforeEach
    void migrate() {
        database.dropSchema(SCHEMA);
        new SchemaManager(database.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
        store = EventStore.builder(database.dataSource()).schema(SchemaName.of(SCHEMA)).build();
        for (String id : new String[] {"game-1", "game-2", "game-3"}) {
            store.append(id, ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        }
    }

    @AfterEach
    void drop() {
        database.dropSchema(SCHEMA);
    }

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    @Test
    void showSetMergeAndShowAgain() throws Exception {
        Cli.Result none = cli.run("stream", "metadata", "game-1");
        assertThat(none.exitCode()).as(none.all()).isZero();
        assertThat(none.out()).isEqualTo("Metadata of stream game-1 (version 1): none\n");

        Cli.Result set = cli.run("stream", "metadata", "game-1", "--set", "{\"owner\":\"ann\",\"region\":\"eu\"}");
        assertThat(set.exitCode()).as(set.all()).isZero();
        assertThat(set.out()).isEqualTo("Set the metadata of stream game-1 (version 1): {\"owner\": \"ann\", \"region\": \"eu\"}\n");

        Cli.Result merged = cli.run("stream", "metadata", "game-1", "--merge", "{\"region\":\"us\",\"tier\":2}");
        assertThat(merged.exitCode()).as(merged.all()).isZero();
        assertThat(merged.out()).startsWith("Merged into the metadata of stream game-1 (version 1): ");

        Cli.Result shown = cli.run("stream", "metadata", "game-1", "--json");
        assertThat(shown.exitCode()).as(shown.all()).isZero();
        JsonNode row = json(shown.out());
        assertThat(row.get("streamId").asText()).isEqualTo("game-1");
        assertThat(row.get("version").asLong()).isEqualTo(1);
        assertThat(row.get("createdAt").asText()).endsWith("Z");
        assertThat(row.get("deletedAt").isNull()).isTrue();
        assertThat(row.get("metadata")).isEqualTo(json("{\"owner\":\"ann\",\"region\":\"us\",\"tier\":2}"));
        assertThat(json(store.streamInfo("game-1").orElseThrow().metadata())).isEqualTo(row.get("metadata"));
    }

    @Test
    void badInputFailsWithOneLineAndWritesNothing() throws Exception {
        store.setStreamMetadata("game-1", "{\"owner\":\"ann\"}");
        Cli.Result notObject = cli.run("stream", "metadata", "game-1", "--set", "[1,2]");
        assertThat(notObject.exitCode()).as(notObject.all()).isEqualTo(ExitCodes.USAGE);
        assertThat(notObject.err()).isEqualTo("eventstore: the stream metadata is not a JSON object\n");
        assertThat(notObject.out()).isEmpty();

        Cli.Result notJson = cli.run("stream", "metadata", "game-1", "--merge", "{owner:");
        assertThat(notJson.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(notJson.err()).startsWith("eventstore: the stream metadata is not valid JSON").doesNotContain("Exception");

        // The merged result counts: {"blob": "x…", "owner": "ann"}.
        Cli.Result big = cli.run("stream", "metadata", "game-1", "--merge", "{\"blob\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(big.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(big.err()).isEqualTo("eventstore: stream metadata of 70028 bytes is over the limit of 65536 bytes\n");

        Cli.Result both = cli.run("stream", "metadata", "game-1", "--set", "{}", "--merge", "{}");
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("mutually exclusive");

        Cli.Result missing = cli.run("stream", "metadata", "game-404", "--set", "{}");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(missing.err()).isEqualTo("eventstore: stream 'game-404' not found\n");
        Cli.Result missingShown = cli.run("stream", "metadata", "game-404");
        assertThat(missingShown.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(missingShown.err()).isEqualTo("eventstore: stream 'game-404' not found\n");

        store.deleteStream("game-2", ExpectedVersion.ANY);
        Cli.Result deleted = cli.run("stream", "metadata", "game-2", "--merge", "{\"a\":1}");
        assertThat(deleted.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(deleted.err()).startsWith("eventstore: stream 'game-2' is deleted (at ")
                .endsWith(" UTC): its metadata cannot change\n");

        assertThat(json(store.streamInfo("game-1").orElseThrow().metadata())).isEqualTo(json("{\"owner\":\"ann\"}"));
        assertThat(store.streamInfo("game-2").orElseThrow().metadata()).isNull();
        assertThat(store.streamInfo("game-404")).isEmpty();
    }

    @Test
    void streamsFindsByContainmentInPages() throws Exception {
        store.setStreamMetadata("game-1", "{\"region\":\"eu\",\"mode\":\"race\"}");
        store.setStreamMetadata("game-2", "{\"region\":\"us\",\"mode\":\"race\"}");
        store.setStreamMetadata("game-3", "{\"region\":\"eu\"}");

        Cli.Result eu = cli.run("streams", "--metadata", "{\"region\":\"eu\"}");
        assertThat(eu.exitCode()).as(eu.all()).isZero();
        assertThat(eu.out()).contains("Stream", "Version", "Metadata", "game-1", "game-3").doesNotContain("game-2")
                .endsWith("2 streams.\n");

        Cli.Result page = cli.run("streams", "--metadata", "{\"mode\":\"race\"}", "--limit", "1", "--json");
        assertThat(page.exitCode()).as(page.all()).isZero();
        JsonNode first = json(page.out());
        assertThat(first.get("streams")).hasSize(1);
        assertThat(first.get("streams").get(0).get("streamId").asText()).isEqualTo("game-1");
        assertThat(first.get("streams").get(0).get("metadata").get("region").asText()).isEqualTo("eu");
        assertThat(first.get("next").asText()).isEqualTo("game-1");
        Cli.Result second = cli.run("streams", "--metadata", "{\"mode\":\"race\"}", "--limit", "1", "--after", "game-1");
        assertThat(second.out()).contains("game-2").endsWith("1 stream. More may follow: --after 'game-2'\n");

        Cli.Result none = cli.run("streams", "--metadata", "{\"region\":\"mars\"}");
        assertThat(none.exitCode()).isZero();
        assertThat(none.out()).isEqualTo("No stream's metadata contains {\"region\":\"mars\"}.\n");

        Cli.Result bad = cli.run("streams", "--metadata", "\"eu\"");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).isEqualTo("eventstore: the metadata to find is not a JSON object\n");
        Cli.Result badLimit = cli.run("streams", "--metadata", "{}", "--limit", "0");
        assertThat(badLimit.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badLimit.err()).isEqualTo("eventstore: invalid max count 0: must be 1 to 10000\n");
        assertThat(cli.run("stream").exitCode()).as("a subcommand is needed").isEqualTo(ExitCodes.USAGE);
        Cli.Result noMetadata = cli.run("streams");
        assertThat(noMetadata.exitCode()).isEqualTo(ExitCodes.USAGE);
    }
}
