package dev.eventstore.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.eventstore.testing.scenarios.RunWideDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** An existing server by URL, chosen for the whole run by system properties: a URL alone selects it. */
class UrlDatabaseIT {

    @Test
    void runWidePropertiesSendEveryClassToTheServerOfTheUrl() throws Exception {
        try (EmbeddedPostgres server = EmbeddedPostgres.builder().start()) {
            String url = "jdbc:postgresql://localhost:" + server.getPort() + "/postgres";
            System.setProperty("eventstore.test.db.url", url);
            System.setProperty("eventstore.test.db.user", "postgres");
            try {
                EngineTestKit.engine("junit-jupiter").selectors(selectClass(RunWideDatabase.class)).execute()
                        .testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
            } finally {
                System.clearProperty("eventstore.test.db.url");
                System.clearProperty("eventstore.test.db.user");
            }
            assertThat(RunWideDatabase.url).isEqualTo(url);
            // The class's generated schema is dropped after it.
            try (Connection connection = server.getPostgresDatabase().getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(
                         "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'runwidedatabase%'")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }
}
