package dev.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL functions on their own, as a caller that bypasses the Java library meets them: they pin
 * their search_path to the schema they were migrated into (Flyway's {@code ${flyway:defaultSchema}}
 * placeholder), and they refuse bad stream ids and events themselves (defence in depth), with the
 * same limits as {@link Limits}.
 */
class SchemaFunctionsIT {

    private static final String SCHEMA = "functions_it";
    private static final TestDatabase DATABASE = TestDatabase.get();

    @BeforeAll
    static void migrate() {
        DATABASE.dropSchema(SCHEMA);
        new SchemaManager(DATABASE.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
    }

    @AfterAll
    static void drop() {
        DATABASE.dropSchema(SCHEMA);
    }

    /** Every function pins its search_path; the stream page reads also keep off sorting (R__1_function_read_stream_forward.sql, R__1_function_read_stream_backward.sql), and nothing else is set. */
    @Test
    void everyFunctionPinsItsSearchPathToTheMigratedSchema() throws Exception {
        try (Connection connection = DATABASE.connect();
             PreparedStatement statement = connection.prepareStatement("""
                     SELECT p.proname, p.proconfig
                       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = ? ORDER BY 1""")) {
            statement.setString(1, SCHEMA);
            try (ResultSet rs = statement.executeQuery()) {
                int functions = 0;
                while (rs.next()) {
                    functions++;
                    String name = rs.getString(1);
                    List<String> expected = new java.util.ArrayList<>(List.of("search_path=" + SCHEMA + ", pg_temp"));
                    if (name.equals("read_stream_forward") || name.equals("read_stream_backward")) {
                        expected.add("enable_sort=off");
                    }
                    assertThat(rs.getArray(2) == null ? List.of() : List.of((String[]) rs.getArray(2).getArray())).as(name)
                            .containsExactlyInAnyOrderElementsOf(expected);
                }
                assertThat(functions).isGreaterThanOrEqualTo(10);
            }
        }
    }

    @Test
    void appendWorksWhateverTheCallersSearchPath() throws Exception {
        try (Connection connection = DATABASE.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET search_path TO public");
            try (ResultSet rs = statement.executeQuery("SELECT first_version, last_version FROM " + SCHEMA
                    + ".append_to_stream('sp-1', -1, ARRAY['A','B'], NULL, ARRAY['{}','{}']::jsonb[], NULL)")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(1);
                assertThat(rs.getLong(2)).isEqualTo(2);
            }
        }
    }

    private static SQLException callAppend(String streamId, String types) {
        try (Connection connection = DATABASE.connect();
             PreparedStatement statement = connection.prepareStatement("SELECT * FROM " + SCHEMA
                     + ".append_to_stream(?, -1, " + types + ", NULL, ARRAY['{}','{}']::jsonb[], NULL)")) {
            statement.setString(1, streamId);
            statement.executeQuery().close();
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    @Test
    void streamIdsAreCheckedInSqlWithTheJavaLimits() {
        String longest = "s".repeat(Limits.MAX_STREAM_ID_LENGTH);
        assertThat((Object) callAppend(longest, "ARRAY['A','B']")).isNull();
        for (String bad : List.of("", "   ", "s".repeat(Limits.MAX_STREAM_ID_LENGTH + 1), "a\u0001b", "a\u009fb")) {
            SQLException e = callAppend(bad, "ARRAY['A','B']");
            assertThat((Object) e).as("stream id of %d characters", bad.length()).isNotNull();
            assertThat(e.getSQLState()).isEqualTo("ZE004");
            assertThat(e.getMessage()).startsWith("ERROR: invalid stream id: ");
        }
    }

    @Test
    void eventTypesAreCheckedInSqlWithTheJavaLimits() {
        assertThat((Object) callAppend("types-1", "ARRAY['A','" + "T".repeat(Limits.MAX_EVENT_TYPE_LENGTH) + "']")).isNull();
        SQLException e = callAppend("types-1", "ARRAY['A','" + "T".repeat(Limits.MAX_EVENT_TYPE_LENGTH + 1) + "']");
        assertThat(e.getSQLState()).isEqualTo("ZE005");
        assertThat(e.getMessage()).startsWith("ERROR: invalid event at index 1 for stream 'types-1':"
                + " the event type is longer than 255 characters");
        assertThat(callAppend("types-1", "ARRAY['A', NULL]").getSQLState()).isEqualTo("ZE005");
        assertThat(callAppend("types-1", "ARRAY['A']").getMessage()).contains("the event arrays differ in length");
    }

    /** Appends one event ({@code single}) or the same event after a valid one, with SQL literals. */
    private static SQLException callAppendOf(String streamId, boolean single, String type, String version, String data) {
        String types = single ? "ARRAY[" + type + "]::text[]" : "ARRAY['Valid', " + type + "]::text[]";
        String versions = single ? "ARRAY[" + version + "]::int[]" : "ARRAY[1, " + version + "]::int[]";
        String datas = single ? "ARRAY[" + data + "]::jsonb[]" : "ARRAY['{}', " + data + "]::jsonb[]";
        try (Connection connection = DATABASE.connect(); Statement statement = connection.createStatement()) {
            statement.executeQuery("SELECT * FROM " + SCHEMA + ".append_to_stream('" + streamId + "', -1, " + types + ", "
                    + versions + ", " + datas + ", NULL)").close();
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    @Test
    void aSingleEventIsCheckedAndWordedAsAnEventOfABatch() throws SQLException {
        // A single event takes a shorter path through append_to_stream (R__1_function_append_to_stream.sql): same checks, same words.
        Map<String, String[]> cases = Map.of(
                "the event type is empty", new String[] {"''", "1", "'{}'"},
                "the event type is only whitespace", new String[] {"'  '", "1", "'{}'"},
                "the event type is longer than 255 characters", new String[] {"'" + "T".repeat(256) + "'", "1", "'{}'"},
                "the event type contains a control character", new String[] {"E'a\\x01b'", "1", "'{}'"},
                "the event version 0 is below 1", new String[] {"'A'", "0", "'{}'"},
                "the event data is NULL", new String[] {"'A'", "1", "NULL"});
        for (Map.Entry<String, String[]> bad : cases.entrySet()) {
            String[] event = bad.getValue();
            SQLException single = callAppendOf("one-bad", true, event[0], event[1], event[2]);
            SQLException batch = callAppendOf("two-bad", false, event[0], event[1], event[2]);
            assertThat((Object) single).as(bad.getKey()).isNotNull();
            assertThat(single.getSQLState()).as(bad.getKey()).isEqualTo("ZE005");
            assertThat(single.getMessage()).startsWith("ERROR: invalid event at index 0 for stream 'one-bad': " + bad.getKey());
            assertThat((Object) batch).as(bad.getKey()).isNotNull();
            assertThat(batch.getMessage()).startsWith("ERROR: invalid event at index 1 for stream 'two-bad': " + bad.getKey());
        }
        assertThat((Object) callAppendOf("one-good", true, "'A'", "NULL", "'{\"x\":1}'")).as("version NULL means 1").isNull();
        try (Connection connection = DATABASE.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT stream_id, stream_version, event_version, data::text FROM " + SCHEMA
                     + ".events WHERE stream_id IN ('one-bad', 'two-bad', 'one-good') ORDER BY event_id")) {
            assertThat(rs.next()).as("only the valid single event was written").isTrue();
            assertThat(rs.getString(1)).isEqualTo("one-good");
            assertThat(rs.getLong(2)).isEqualTo(1);
            assertThat(rs.getInt(3)).isEqualTo(1);
            assertThat(rs.getString(4)).isEqualTo("{\"x\": 1}");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void expectedVersionEncodingBelowMinusThreeIsRefused() {
        assertThatThrownBy(() -> DATABASE.execute("SELECT " + SCHEMA
                + ".append_to_stream('ev-1', -4, ARRAY['A'], NULL, ARRAY['{}']::jsonb[], NULL)"))
                .hasMessageContaining("invalid expected version -4: use -1 (any), -2 (no stream), -3 (stream exists) or a version >= 0");
    }
}
