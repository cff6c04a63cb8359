package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Administrative commands leave an audit row: who, when, what, the arguments without secrets. */
class AuditIT {

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final TestDatabase database = TestDatabase.get();

    @AfterEach
    void dropSlot() {
        support.dropSlot();
    }

    @Test
    void migrateResetAndRepublishAreAudited() throws Exception {
        Cli cli = new Cli();
        support.environment().forEach(cli::with);
        support.store().append("game-audit", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        database.execute("DELETE FROM bridge_it.audit_log");

        assertThat(cli.run("migrate", "--db-password", "not-a-real-one").exitCode()).isZero();
        assertThat(cli.run("republish", "--stream", "game-audit").exitCode()).isZero();
        assertThat(cli.run("reset", "--force").exitCode()).isZero();

        List<String> rows = new ArrayList<>();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT command, array_to_string(arguments, ' '), details::text, os_user, db_user"
                     + " FROM bridge_it.audit_log ORDER BY audit_id")) {
            while (rs.next()) {
                rows.add(String.join(" | ", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            }
        }
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).startsWith("migrate | migrate --db-password *** | ").doesNotContain("not-a-real-one")
                .endsWith(" | " + System.getProperty("user.name") + " | postgres");
        assertThat(rows.get(1)).startsWith("republish | republish --stream game-audit | ").contains("\"events\": 1");
        assertThat(rows.get(2)).startsWith("reset | reset --force | ").contains("\"events\": 1", "\"streams\": 1");
    }
}
