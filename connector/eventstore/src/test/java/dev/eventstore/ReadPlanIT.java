package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.eventstore.schema.SqlResource;
import dev.eventstore.testing.SharedStoreExtension;
import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A page of a long stream must be read along the (stream_id, stream_version) index even when
 * the statistics do not know the stream yet (written since the last ANALYZE, or restored by
 * pg_restore, which keeps none): with the many short streams the statistics describe, PostgreSQL
 * otherwise estimates a few rows, reads every event of the stream from the page's start with a
 * bitmap scan and sorts them, on every page (52 ms against 0.6 ms a page of 1,000 events of a
 * 100,000-event stream, measured). The plans are the server's own, logged by auto_explain to
 * this test's database session.
 */
@ExtendWith(SharedStoreExtension.class)
class ReadPlanIT {

    private static final String LONG_STREAM = "replay-1";

    private String schema;

    @BeforeEach
    void statisticsThatDoNotKnowTheLongStream(EventStore store) throws SQLException {
        schema = store.schema().value();
        TestDatabase.get().execute("ALTER TABLE " + schema + ".events SET (autovacuum_enabled = off)");
        for (int i = 0; i < 300; i++) {
            store.append("short-" + i, ExpectedVersion.NO_STREAM, createTestEvents(3));
        }
        TestDatabase.get().execute("ANALYZE " + schema + ".events", "ANALYZE " + schema + ".event_streams");
        for (int version = 0; version < 20_000; version += 1_000) {
            store.append(LONG_STREAM, version == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(version),
                    createTestEvents(1_000));
        }
    }

    @AfterEach
    void autovacuumBack() {
        TestDatabase.get().execute("ALTER TABLE " + schema + ".events RESET (autovacuum_enabled)");
    }

    @Test
    void pagesForwardAndBackwardFollowTheStreamIndex() throws SQLException {
        try (Connection connection = explainingConnection()) {
            String forward = plan(connection, "SELECT count(*) FROM " + schema + ".read_stream_forward(?, 1, 100)",
                    "ORDER BY e.stream_version\n");
            String backward = plan(connection, "SELECT count(*) FROM " + schema + ".read_stream_backward(?, 20000, 100)",
                    "ORDER BY e.stream_version DESC");
            assertThat(forward).contains("Index Scan using uq_events_stream_version").doesNotContain("Sort");
            assertThat(backward).contains("Index Scan Backward using uq_events_stream_version").doesNotContain("Sort");
        }
    }

    @Test
    void theStreamingReadFollowsTheStreamIndex(EventStore store) throws SQLException {
        try (Connection connection = explainingConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement check = connection.prepareStatement(SqlResource.load("check_stream_readable", store.schema()))) {
                check.setString(1, LONG_STREAM);
                check.executeQuery().close();
            }
            String streaming = plan(connection, SqlResource.load("read_stream_events", store.schema())
                    .replace("stream_version >= ?", "stream_version >= 1"), "ORDER BY stream_version");
            connection.rollback();
            assertThat(streaming).contains("Index Scan using uq_events_stream_version").doesNotContain("Sort");
        }
    }

    /** A connection whose every statement, nested ones included, has its plan sent back as a warning. */
    private static Connection explainingConnection() throws SQLException {
        Connection connection = TestDatabase.get().connect();
        try (Statement statement = connection.createStatement()) {
            statement.execute("LOAD 'auto_explain'");
        } catch (SQLException e) {
            connection.close();
            assumeTrue(false, "auto_explain cannot be loaded here (" + e.getMessage() + ")");
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET auto_explain.log_min_duration = 0");
            statement.execute("SET auto_explain.log_nested_statements = on");
            statement.execute("SET client_min_messages = log");
        }
        return connection;
    }

    private static void collect(SQLWarning warnings, List<String> plans) {
        for (SQLWarning w = warnings; w != null; w = w.getNextWarning()) {
            plans.add(w.getMessage());
        }
    }

    /** The logged plan of the statement whose text contains {@code marker}, run with the long stream as parameter 1. */
    private static String plan(Connection connection, String sql, String marker) throws SQLException {
        List<String> plans = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, LONG_STREAM);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    // drained
                }
            }
            collect(statement.getWarnings(), plans);
        }
        // auto_explain logs when the executor ends, which for a portal read to its end can be when
        // the next statement closes it: run one, and take its notices too.
        try (Statement next = connection.createStatement()) {
            next.execute("SELECT 1");
            collect(next.getWarnings(), plans);
        }
        return plans.stream().filter(p -> p.contains(marker)).findFirst()
                .orElseThrow(() -> new AssertionError("no plan logged for a statement with '" + marker + "' among " + plans));
    }
}
