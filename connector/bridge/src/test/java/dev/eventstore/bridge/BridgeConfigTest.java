package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class BridgeConfigTest {

    private static Properties minimal() {
        Properties p = new Properties();
        p.setProperty("db.url", "jdbc:postgresql://localhost:5432/game");
        p.setProperty("db.user", "bridge");
        p.setProperty("kafka.bootstrap.servers", "localhost:9092");
        return p;
    }

    @Test
    void environmentOverridesTheFile() {
        BridgeConfig config = BridgeConfig.load(minimal(), Map.of(
                "EVENTSTORE_TOPIC_PREFIX", "games",
                "EVENTSTORE_DB_PASSWORD", "from-env",
                "EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092,broker-2:9092",
                "EVENTSTORE_SCHEMA", "store"));
        assertThat(config.topicPrefix()).isEqualTo("games");
        assertThat(config.connection().password()).isEqualTo("from-env");
        assertThat(config.bootstrapServers()).isEqualTo("broker-1:9092,broker-2:9092");
        assertThat(config.slotName()).isEqualTo("store_cdc");
        assertThat(config.transformProperties()).containsEntry("events.schema", "store").containsEntry("topic.prefix", "games");
    }

    @Test
    void kafkaClientSettingsPassThroughWithoutThePrefix() {
        Properties file = minimal();
        file.setProperty("kafka.security.protocol", "SSL");
        BridgeConfig config = BridgeConfig.load(file, Map.of("EVENTSTORE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"));
        assertThat(config.kafkaClientProperties())
                .containsEntry("security.protocol", "SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .doesNotContainKey("bootstrap.servers");
    }

    @Test
    void environmentVariableNames() {
        assertThat(BridgeConfig.environmentVariable("topic.prefix")).isEqualTo("EVENTSTORE_TOPIC_PREFIX");
        assertThat(BridgeConfig.environmentVariable("kafka.bootstrap.servers")).isEqualTo("EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS");
        assertThat(BridgeConfig.environmentVariable("db.password")).isEqualTo("EVENTSTORE_DB_PASSWORD");
    }

    @Test
    void missingRequiredSettingIsNamed() {
        Properties file = minimal();
        file.remove("db.url");
        assertThatThrownBy(() -> BridgeConfig.load(file, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("db.url");
    }

    @Test
    void badValuesAreRefused() {
        Properties file = minimal();
        file.setProperty("db.url", "postgres://x");
        assertThatThrownBy(() -> BridgeConfig.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("db.url").hasMessageContaining("jdbc:postgresql://");
        Properties schema = minimal();
        schema.setProperty("schema", "Bad-Schema");
        assertThatThrownBy(() -> BridgeConfig.load(schema, Map.of())).hasMessageContaining("schema");
        Properties policy = minimal();
        policy.setProperty("errors.policy", "ignore");
        assertThatThrownBy(() -> BridgeConfig.load(policy, Map.of())).hasMessageContaining("errors.policy");
    }

    @Test
    void oneProducerRequestInFlightUnlessToldOtherwiseAndNeverMoreThanTheIdempotentProducerAllows() {
        assertThat(BridgeConfig.load(minimal(), Map.of()).getInt(BridgeConfig.Key.PRODUCER_MAX_IN_FLIGHT)).isEqualTo(1);
        Properties five = minimal();
        five.setProperty(BridgeConfig.Key.PRODUCER_MAX_IN_FLIGHT, "5");
        assertThat(BridgeConfig.load(five, Map.of()).getInt(BridgeConfig.Key.PRODUCER_MAX_IN_FLIGHT)).isEqualTo(5);
        Properties six = minimal();
        six.setProperty(BridgeConfig.Key.PRODUCER_MAX_IN_FLIGHT, "6");
        assertThatThrownBy(() -> BridgeConfig.load(six, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining(BridgeConfig.Key.PRODUCER_MAX_IN_FLIGHT);
    }

    @Test
    void passwordNeverPrints() {
        Properties file = minimal();
        file.setProperty("db.password", "s3cret");
        BridgeConfig config = BridgeConfig.load(file, Map.of());
        assertThat(config.toString()).doesNotContain("s3cret");
        assertThat(config.connection().toString()).doesNotContain("s3cret");
        assertThat(config.values().toString()).doesNotContain("s3cret");
    }
}
