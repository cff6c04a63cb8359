package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class HeldConnectionIT {

    private final TestDatabase database = TestDatabase.get();

    @Test
    void keepsOneBackendAndReopensAfterTheServerEndedIt() throws SQLException {
        try (HeldConnection held = new HeldConnection(database.settings().dataSource(), false)) {
            int first = backendPid(held.get());
            assertThat(backendPid(held.get())).as("the same backend: no new connection per use").isEqualTo(first);
            assertThat(held.get().getAutoCommit()).isFalse();

            // As a server restart or an administrator would: the backend goes away under the held connection.
            // The timeout makes the call wait until the backend has exited (PostgreSQL 14 and later).
            database.execute("SELECT pg_terminate_backend(" + first + ", 10000)");

            int second = backendPid(held.get());
            assertThat(second).as("a fresh backend after the old one ended").isNotEqualTo(first);
            assertThat(held.get().getAutoCommit()).as("the new connection has the held settings").isFalse();
        }
    }

    @Test
    void discardOpensANewConnectionAtTheNextUse() throws SQLException {
        try (HeldConnection held = new HeldConnection(database.settings().dataSource(), true)) {
            Connection before = held.get();
            held.discard();
            assertThat(before.isClosed()).isTrue();
            assertThat(held.get()).isNotSameAs(before);
            assertThat(held.get().getAutoCommit()).isTrue();
        }
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            int pid = rs.getInt(1);
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
            return pid;
        }
    }
}
