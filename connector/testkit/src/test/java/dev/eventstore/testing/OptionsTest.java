package dev.eventstore.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.testing.EventStoreExtension.Database;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static Function<String, String> run(Map<String, String> values) {
        return values::get;
    }

    @Test
    void embeddedUnlessTheClassOrTheRunSaysOtherwise() {
        assertThat(Options.DEFAULTS.resolved(run(Map.of())).database()).isEqualTo(Database.EMBEDDED);
        assertThat(Options.DEFAULTS.resolved(run(Map.of("eventstore.test.database", "Container"))).database())
                .isEqualTo(Database.CONTAINER);
        Options container = new Options(Database.CONTAINER, null, EventStoreExtension.Reset.BEFORE_EACH, false,
                null, null, null, null, null);
        assertThat(container.resolved(run(Map.of("eventstore.test.database", "url"))).database())
                .as("the class's own choice wins over the run's").isEqualTo(Database.CONTAINER);
    }

    @Test
    void theImageIsPinnedUnlessTheRunNamesOne() {
        assertThat(Options.DEFAULTS.resolved(run(Map.of())).image()).isEqualTo("postgres:17.5");
        assertThat(Options.DEFAULTS.resolved(run(Map.of("eventstore.test.image", "postgres:16.9"))).image())
                .isEqualTo("postgres:16.9");
    }

    @Test
    void aBadDatabaseNamesTheSettingAndItsValues() {
        assertThatThrownBy(() -> Options.DEFAULTS.resolved(run(Map.of("eventstore.test.database", "oracle"))))
                .hasMessage("eventstore.test.database (or EVENTSTORE_TEST_DATABASE) must be embedded, container or url,"
                        + " was 'oracle'");
    }

    @Test
    void urlModeWithoutAUrlSaysWhereToSetIt() {
        Options url = Options.DEFAULTS.resolved(run(Map.of("eventstore.test.database", "url")));
        assertThatThrownBy(url::connection).hasMessage("database url needs a JDBC URL: set eventstore.test.db.url"
                + " (or EVENTSTORE_TEST_DB_URL) or call url(...) on the extension's builder");
    }

    @Test
    void aRunWideUrlAloneSelectsTheServerOfTheUrl() {
        Options options = Options.DEFAULTS.resolved(run(Map.of("eventstore.test.db.url", "jdbc:postgresql://db/test")));
        assertThat(options.database()).isEqualTo(Database.URL);
        assertThat(options.connection().url()).isEqualTo("jdbc:postgresql://db/test");
    }

    @Test
    void environmentVariablesNameTheProperties() {
        assertThat(Options.environmentName("eventstore.test.db.password")).isEqualTo("EVENTSTORE_TEST_DB_PASSWORD");
    }
}
