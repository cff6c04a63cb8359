package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.schema.SqlResource;
import dev.eventstore.testing.SharedStoreExtension;
import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stream metadata: set (replace), merge (jsonb ||, shallow), read through streamInfo, find by
 * containment along the GIN index; bad input refused with nothing written; concurrent merges of
 * different keys all land.
 */
@ExtendWith(SharedStoreExtension.class)
class StreamMetadataIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    @Test
    void setReplacesMergeAddsAndReplacesTopLevelKeysAndNeitherIsAnEvent(EventStore store) throws Exception {
        createTestStream("game-1", 2);
        StreamInfo before = store.streamInfo("game-1").orElseThrow();
        assertThat(before.metadata()).isNull();

        String set = store.setStreamMetadata("game-1", "{\"owner\":\"ann\",\"limits\":{\"players\":4,\"rounds\":9}}");
        assertThat(json(set)).isEqualTo(json("{\"owner\":\"ann\",\"limits\":{\"players\":4,\"rounds\":9}}"));
        assertThat(json(store.streamInfo("game-1").orElseThrow().metadata())).isEqualTo(json(set));

        String merged = store.mergeStreamMetadata("game-1", "{\"region\":\"eu\",\"limits\":{\"players\":8}}");
        assertThat(json(merged)).as("shallow: limits replaced whole, owner kept")
                .isEqualTo(json("{\"owner\":\"ann\",\"region\":\"eu\",\"limits\":{\"players\":8}}"));
        assertThat(json(store.streamInfo("game-1").orElseThrow().metadata())).isEqualTo(json(merged));

        String replaced = store.setStreamMetadata("game-1", "{\"region\":\"us\"}");
        assertThat(json(replaced)).isEqualTo(json("{\"region\":\"us\"}"));
        assertThat(store.setStreamMetadata("game-1", "{}")).isEqualTo("{}");

        StreamInfo after = store.streamInfo("game-1").orElseThrow();
        assertThat(after.version()).isEqualTo(2);
        assertThat(after.updatedAt()).isEqualTo(before.updatedAt());
        assertThat(store.readAllForward(0, 100)).hasSize(2);
        // Nothing of it reaches Kafka: the publication the bridge decodes holds no stream rows.
        try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables"
                     + " WHERE pubname = '" + store.schema().value() + "_events'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("cdc_heartbeat,events");
        }
        // Merging into a stream that never had metadata starts from an empty object.
        createTestStream("game-2", 1);
        assertThat(json(store.mergeStreamMetadata("game-2", "{\"a\":1}"))).isEqualTo(json("{\"a\":1}"));
    }

    @Test
    void badInputIsRefusedWithOneLineAndNothingWritten(EventStore store) throws Exception {
        createTestStream("game-1", 1);
        store.setStreamMetadata("game-1", "{\"owner\":\"ann\"}");
        for (String bad : new String[] {"[1,2]", "\"text\"", "42", "null", "not json", "", "{\"a\":", "{\"a\":\"\\u0000\"}"}) {
            assertThatThrownBy(() -> store.setStreamMetadata("game-1", bad)).as(bad)
                    .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("the stream metadata ")
                    .hasMessageNotContaining("\n");
            assertThatThrownBy(() -> store.mergeStreamMetadata("game-1", bad)).as(bad)
                    .isInstanceOf(InvalidRequestException.class);
        }
        assertThatThrownBy(() -> store.setStreamMetadata("game-1", null)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("the stream metadata is missing: give a JSON object");
        assertThatThrownBy(() -> store.setStreamMetadata("bad\u0001id", "{}")).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("invalid stream id");

        String big = "{\"blob\":\"" + "x".repeat(Limits.MAX_STREAM_METADATA_SIZE_BYTES) + "\"}";
        assertThatThrownBy(() -> store.setStreamMetadata("game-1", big)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("stream metadata of " + (Limits.MAX_STREAM_METADATA_SIZE_BYTES + 12)
                        + " bytes is over the limit of " + Limits.MAX_STREAM_METADATA_SIZE_BYTES + " bytes");
        // Each half fits; the merge of both does not.
        String half = "x".repeat(Limits.MAX_STREAM_METADATA_SIZE_BYTES / 2);
        store.mergeStreamMetadata("game-1", "{\"a\":\"" + half + "\"}");
        assertThatThrownBy(() -> store.mergeStreamMetadata("game-1", "{\"b\":\"" + half + "\"}"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("is over the limit of");
        assertThat(json(store.streamInfo("game-1").orElseThrow().metadata()))
                .isEqualTo(json("{\"owner\":\"ann\",\"a\":\"" + half + "\"}"));

        assertThatThrownBy(() -> store.setStreamMetadata("game-404", "{\"a\":1}")).isInstanceOf(StreamNotFoundException.class)
                .hasMessage("stream 'game-404' not found");
        assertThatThrownBy(() -> store.mergeStreamMetadata("game-404", "{\"a\":1}")).isInstanceOf(StreamNotFoundException.class);
        assertThat(store.streamInfo("game-404")).as("no stream created").isEmpty();

        createTestStream("game-gone", 1);
        store.setStreamMetadata("game-gone", "{\"owner\":\"ann\"}");
        store.deleteStream("game-gone", ExpectedVersion.ANY);
        assertThatThrownBy(() -> store.mergeStreamMetadata("game-gone", "{\"a\":1}")).isInstanceOf(StreamDeletedException.class)
                .hasMessageStartingWith("stream 'game-gone' is deleted (at ")
                .hasMessageEndingWith(" UTC): its metadata cannot change");
        assertThatThrownBy(() -> store.setStreamMetadata("game-gone", "{}")).isInstanceOf(StreamDeletedException.class);
        assertThat(json(store.streamInfo("game-gone").orElseThrow().metadata())).isEqualTo(json("{\"owner\":\"ann\"}"));
    }

    @Test
    void theSqlFunctionRefusesWhatTheLibraryRefusesAndEnforcesTheSameSizeLimit(EventStore store) throws Exception {
        createTestStream("game-1", 1);
        String schema = store.schema().value();
        assertState("SELECT " + schema + ".set_stream_metadata('game-1', '[1]', false)", "ZE006");
        assertState("SELECT " + schema + ".set_stream_metadata('game-1', NULL, true)", "ZE006");
        assertState("SELECT " + schema + ".set_stream_metadata('game-1', '{}', NULL)", "ZE006");
        assertState("SELECT " + schema + ".set_stream_metadata(E'bad\\x01', '{}', false)", "ZE004");
        assertState("SELECT " + schema + ".set_stream_metadata('game-404', '{}', false)", "ZE003");
        // {"b": "x…"} prints as 9 bytes around the string: the limit is the largest accepted.
        int fits = Limits.MAX_STREAM_METADATA_SIZE_BYTES - 9;
        TestDatabase.get().execute("SELECT " + schema + ".set_stream_metadata('game-1', jsonb_build_object('b', repeat('x', "
                + fits + ")), false)");
        assertThat(store.streamInfo("game-1").orElseThrow().metadata()).hasSize(Limits.MAX_STREAM_METADATA_SIZE_BYTES);
        assertState("SELECT " + schema + ".set_stream_metadata('game-1', jsonb_build_object('b', repeat('x', "
                + (fits + 1) + ")), false)", "ZE006");
        // Metadata that is no object, written by hand as the owner, is replaced but never merged into.
        TestDatabase.get().execute("UPDATE " + schema + ".event_streams SET metadata = '[1]' WHERE stream_id = 'game-1'");
        assertThatThrownBy(() -> store.mergeStreamMetadata("game-1", "{\"a\":1}")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("stream 'game-1': its metadata is a JSON array, not an object, and cannot be merged into:"
                        + " set it instead");
        assertThat(store.streamInfo("game-1").orElseThrow().metadata()).isEqualTo("[1]");
        assertThat(store.setStreamMetadata("game-1", "{\"a\":1}")).isEqualTo("{\"a\": 1}");
        store.deleteStream("game-1", ExpectedVersion.ANY);
        assertState("SELECT " + schema + ".set_stream_metadata('game-1', '{}', false)", "ZE002");
    }

    private static void assertState(String sql, String state) {
        assertThatThrownBy(() -> TestDatabase.get().execute(sql)).as(sql)
                .satisfies(e -> assertThat(sqlState(e)).as(e.getMessage()).isEqualTo(state));
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    @Test
    void findReturnsContainingStreamsByStreamIdInPagesAndSkipsDeletedOnes(EventStore store) {
        for (String id : List.of("game-c", "game-a", "game-d", "game-b", "game-e")) {
            createTestStream(id, 1);
        }
        store.setStreamMetadata("game-a", "{\"region\":\"eu\",\"mode\":\"race\"}");
        store.setStreamMetadata("game-b", "{\"region\":\"us\",\"mode\":\"race\"}");
        store.setStreamMetadata("game-c", "{\"region\":\"eu\",\"tags\":[\"ranked\",\"night\"]}");
        store.setStreamMetadata("game-d", "{\"region\":\"eu\"}");
        store.deleteStream("game-d", ExpectedVersion.ANY);

        assertThat(store.findStreamsByMetadata("{\"region\":\"eu\"}", null, 10)).extracting(StreamInfo::streamId)
                .containsExactly("game-a", "game-c");
        assertThat(store.findStreamsByMetadata("{\"mode\":\"race\"}", null, 1)).extracting(StreamInfo::streamId)
                .containsExactly("game-a");
        assertThat(store.findStreamsByMetadata("{\"mode\":\"race\"}", "game-a", 1)).extracting(StreamInfo::streamId)
                .containsExactly("game-b");
        assertThat(store.findStreamsByMetadata("{\"mode\":\"race\"}", "game-b", 1)).isEmpty();
        assertThat(store.findStreamsByMetadata("{\"tags\":[\"night\"]}", null, 10)).singleElement()
                .satisfies(s -> assertThat(s.metadata()).contains("ranked"));
        assertThat(store.findStreamsByMetadata("{}", null, 10)).extracting(StreamInfo::streamId)
                .as("every stream with metadata, not deleted").containsExactly("game-a", "game-b", "game-c");

        assertThatThrownBy(() -> store.findStreamsByMetadata("[\"eu\"]", null, 10)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("the metadata to find is not a JSON object");
        assertThatThrownBy(() -> store.findStreamsByMetadata("{}", null, 0)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("invalid max count 0: must be 1 to 10000");
        assertThatThrownBy(() -> store.findStreamsByMetadata("{}", null, 10_001)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void findFollowsTheGinIndex(EventStore store) throws Exception {
        String schema = store.schema().value();
        // Many streams with other metadata, written directly as the owner; VACUUM moves the GIN
        // index's pending entries into the index (autovacuum would) and ANALYZE gives statistics.
        TestDatabase.get().execute("INSERT INTO " + schema + ".event_streams (stream_id, stream_version, metadata)"
                + " SELECT 'load-' || i, 0, jsonb_build_object('player', i, 'region', 'us') FROM generate_series(1, 20000) i",
                "VACUUM ANALYZE " + schema + ".event_streams");
        createTestStream("game-eu", 1);
        store.setStreamMetadata("game-eu", "{\"region\":\"eu\"}");
        String sql = "EXPLAIN " + SqlResource.load("find_streams_by_metadata", store.schema());
        StringBuilder plan = new StringBuilder();
        try (Connection connection = TestDatabase.get().connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, "{\"region\":\"eu\"}");
            statement.setString(2, "");
            statement.setInt(3, 100);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        assertThat(plan.toString()).contains("Bitmap Index Scan on idx_event_streams_metadata").doesNotContain("Seq Scan");
        assertThat(store.findStreamsByMetadata("{\"region\":\"eu\"}", null, 100)).extracting(StreamInfo::streamId)
                .containsExactly("game-eu");
    }

    @Test
    void aMergeWaitsForAConcurrentOneAndBothKeysLand(EventStore store) throws Exception {
        createTestStream("game-1", 1);
        String schema = store.schema().value();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Connection first = TestDatabase.get().connect(); Statement statement = first.createStatement()) {
            first.setAutoCommit(false);
            statement.execute("SELECT " + schema + ".set_stream_metadata('game-1', '{\"a\":1}', true)");
            // The first merge holds the row; the second waits for it rather than reading the old value.
            Future<String> second = executor.submit(() -> store.mergeStreamMetadata("game-1", "{\"b\":2}"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!waitingForALock() && !second.isDone() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(second.isDone()).as("the second merge waits for the first").isFalse();
            first.commit();
            assertThat(json(second.get(30, TimeUnit.SECONDS))).isEqualTo(json("{\"a\":1,\"b\":2}"));
        } finally {
            executor.shutdownNow();
        }
        assertThat(json(store.streamInfo("game-1").orElseThrow().metadata())).isEqualTo(json("{\"a\":1,\"b\":2}"));
    }

    @Test
    void manyConcurrentMergesOfDifferentKeysAllLand(EventStore store) throws Exception {
        createTestStream("game-1", 1);
        int writers = 8;
        int keysEach = 25;
        ExecutorService executor = Executors.newFixedThreadPool(writers);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(CompletableFuture.runAsync(() -> {
                    for (int k = 0; k < keysEach; k++) {
                        store.mergeStreamMetadata("game-1", "{\"w" + writer + "-" + k + "\":" + k + "}");
                    }
                }, executor));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }
        JsonNode metadata = json(store.streamInfo("game-1").orElseThrow().metadata());
        assertThat(metadata.size()).isEqualTo(writers * keysEach);
        assertThat(metadata.get("w7-24").asInt()).isEqualTo(24);
    }

    private static boolean waitingForALock() throws SQLException {
        try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                     + " AND query LIKE '%set_stream_metadata%' AND datname = current_database()")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }
}
