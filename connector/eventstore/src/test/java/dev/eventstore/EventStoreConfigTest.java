package dev.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.jdbc.ConnectionSettings;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventStoreConfigTest {

    private static final String URL = "jdbc:postgresql://db:5432/games";

    @Test
    void everyKeyIsDocumented() {
        Set<String> environment = new HashSet<>();
        for (EventStoreConfig.Key key : EventStoreConfig.KEYS) {
            assertThat(key.description()).as(key.name()).isNotBlank().endsWith(".");
            assertThat(key.name()).startsWith("eventstore.");
            assertThat(key.environmentVariable()).matches("EVENTSTORE_[A-Z_]+");
            assertThat(environment.add(key.environmentVariable())).as("unique " + key.environmentVariable()).isTrue();
            assertThat(EventStoreConfig.documentation()).contains("`" + key.name() + "`");
        }
    }

    /**
     * The module README's configuration table is the generated one. To refresh it, run this test
     * with -Deventstore.readme.write=true.
     */
    @Test
    void readmeConfigurationTableIsGenerated() throws Exception {
        java.nio.file.Path readme = java.nio.file.Path.of("README.md");
        String text = java.nio.file.Files.readString(readme);
        String begin = "<!-- config:begin -->\n";
        String end = "<!-- config:end -->";
        int from = text.indexOf(begin) + begin.length();
        int to = text.indexOf(end);
        assertThat(from).isGreaterThan(begin.length() - 1);
        String generated = EventStoreConfig.documentation();
        if (Boolean.getBoolean("eventstore.readme.write")) {
            text = text.substring(0, from) + generated + text.substring(to);
            java.nio.file.Files.writeString(readme, text);
        }
        assertThat(text.substring(from, to)).isEqualTo(generated);
    }

    @Test
    void environmentVariablesAreTheSharedOnes() {
        assertThat(EventStoreConfig.key(EventStoreConfig.URL).environmentVariable()).isEqualTo(ConnectionSettings.ENV_URL);
        assertThat(EventStoreConfig.key(EventStoreConfig.USER).environmentVariable()).isEqualTo(ConnectionSettings.ENV_USER);
        assertThat(EventStoreConfig.key(EventStoreConfig.PASSWORD).environmentVariable()).isEqualTo(ConnectionSettings.ENV_PASSWORD);
        assertThat(EventStoreConfig.key(EventStoreConfig.SCHEMA).environmentVariable()).isEqualTo("EVENTSTORE_SCHEMA");
    }

    @Test
    void passwordIsTypedSecretAndPrintsHidden() {
        assertThat(EventStoreConfig.key(EventStoreConfig.PASSWORD).type()).isEqualTo(EventStoreConfig.Type.PASSWORD);
        EventStoreConfig config = EventStoreConfig.fromEnvironment(Map.of(
                "EVENTSTORE_DB_URL", URL, "EVENTSTORE_DB_USER", "game", "EVENTSTORE_DB_PASSWORD", "s3cret"));
        assertThat(config.password()).isEqualTo("s3cret");
        assertThat(config.toString()).doesNotContain("s3cret").contains("eventstore.db.password=[hidden]");
        assertThat(config.connectionSettings().toString()).doesNotContain("s3cret");
    }

    @Test
    void environmentAndPropertiesGiveTheSameConfig() {
        Properties properties = new Properties();
        properties.setProperty("eventstore.db.url", URL);
        properties.setProperty("eventstore.schema", "game_events");
        properties.setProperty("eventstore.pool.max-size", "4");
        properties.setProperty("unrelated.key", "ignored");
        EventStoreConfig fromProperties = EventStoreConfig.fromProperties(properties);
        EventStoreConfig fromEnvironment = EventStoreConfig.fromEnvironment(Map.of(
                "EVENTSTORE_DB_URL", URL, "EVENTSTORE_SCHEMA", "game_events", "EVENTSTORE_POOL_MAX_SIZE", "4"));
        assertThat(fromProperties.describe()).isEqualTo(fromEnvironment.describe());
        assertThat(fromProperties.schema().value()).isEqualTo("game_events");
        assertThat(fromProperties.poolMaxSize()).isEqualTo(4);
        assertThat(fromProperties.maxEventSizeBytes()).isEqualTo(Limits.DEFAULT_MAX_EVENT_SIZE_BYTES);

        EventStoreConfig merged = EventStoreConfig.load(properties, Map.of("EVENTSTORE_SCHEMA", "override"));
        assertThat(merged.schema().value()).isEqualTo("override");
    }

    @Test
    void tlsSettingsReachTheDriverUrl() {
        EventStoreConfig config = EventStoreConfig.fromEnvironment(Map.of(
                "EVENTSTORE_DB_URL", URL + "?connectTimeout=5",
                "EVENTSTORE_DB_SSLMODE", "verify-full",
                "EVENTSTORE_DB_SSLROOTCERT", "/etc/ssl/ca root.pem"));
        assertThat(config.connectionSettings().url())
                .isEqualTo(URL + "?connectTimeout=5&sslmode=verify-full&sslrootcert=%2Fetc%2Fssl%2Fca+root.pem");
        assertThat(EventStoreConfig.fromEnvironment(Map.of("EVENTSTORE_DB_URL", URL, "EVENTSTORE_DB_SSLMODE", "require"))
                .connectionSettings().url()).isEqualTo(URL + "?sslmode=require");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> EventStoreConfig.fromEnvironment(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("eventstore.db.url (EVENTSTORE_DB_URL) is not set");
        assertThatThrownBy(() -> EventStoreConfig.of(Map.of("eventstore.db.url", URL, "eventstore.db.sslmode", "maybe")))
                .hasMessage("invalid value for eventstore.db.sslmode: 'maybe' must be one of disable, allow, prefer,"
                        + " require, verify-ca, verify-full");
        assertThatThrownBy(() -> EventStoreConfig.of(Map.of("eventstore.db.url", URL, "eventstore.pool.max-size", "lots")))
                .hasMessage("invalid value for eventstore.pool.max-size: 'lots' is not a whole number");
        assertThatThrownBy(() -> EventStoreConfig.of(Map.of("eventstore.db.url", URL, "eventstore.pool.max-size", "0")))
                .hasMessage("invalid value for eventstore.pool.max-size: '0' is out of range: must be 1 to 1000");
        assertThatThrownBy(() -> EventStoreConfig.of(Map.of("eventstore.db.url", URL, "eventstore.schema", "Bad-Name")))
                .hasMessageStartingWith("invalid value for eventstore.schema: 'Bad-Name' invalid schema name");
        assertThatThrownBy(() -> EventStoreConfig.of(Map.of("eventstore.db.url", "mysql://x")))
                .hasMessageStartingWith("invalid value for eventstore.db.url: 'mysql://x' database URL must start with jdbc:postgresql:");
        assertThatThrownBy(() -> EventStoreConfig.of(Map.of("eventstore.db.url", URL, "eventstore.db.pasword", "x")))
                .hasMessageStartingWith("unknown configuration key eventstore.db.pasword");
        assertThatThrownBy(() -> EventStoreConfig.of(Map.of("eventstore.db.url", URL + "?sslmode=disable",
                "eventstore.db.sslmode", "require")))
                .hasMessage("eventstore.db.sslmode is set and the URL has an sslmode parameter too: keep one");
        assertThatThrownBy(() -> EventStoreConfig.of(Map.of("eventstore.db.url", URL, "eventstore.pool.max-size", "2",
                "eventstore.pool.min-idle", "3")))
                .hasMessage("eventstore.pool.min-idle (3) exceeds eventstore.pool.max-size (2)");
    }

    @Test
    void passwordInTheUrlIsMaskedInErrors() {
        assertThatThrownBy(() -> EventStoreConfig.of(Map.of("eventstore.db.url", "jdbc:mysql://x?password=hunter2")))
                .hasMessageNotContaining("hunter2");
    }
}
