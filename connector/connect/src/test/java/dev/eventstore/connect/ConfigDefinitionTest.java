package dev.eventstore.connect;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/** Fails the build when a configuration key is not fully defined (as Debezium's metadata test does). */
class ConfigDefinitionTest {

    @Test
    void everyKeyIsDocumented() {
        for (ConfigDef.ConfigKey key : EventRecordTransform.CONFIG_DEF.configKeys().values()) {
            assertThat(key.documentation).as("documentation of %s", key.name).isNotBlank();
            assertThat(key.documentation.trim()).as("documentation of %s ends a sentence", key.name).endsWith(".");
            assertThat(key.displayName).as("display name of %s", key.name).isNotBlank();
            assertThat(key.group).as("group of %s", key.name).isNotBlank();
        }
    }

    @Test
    void everyKeyIsTypedDefaultedAndValidated() {
        for (ConfigDef.ConfigKey key : EventRecordTransform.CONFIG_DEF.configKeys().values()) {
            assertThat(key.type).as("type of %s", key.name).isNotNull();
            assertThat(key.hasDefault()).as("%s has a default", key.name).isTrue();
            assertThat(key.validator).as("validator of %s", key.name).isNotNull();
            assertThat(key.validator.toString()).as("validator of %s describes its valid values", key.name)
                    .doesNotContain("@");
            assertThat(key.importance).as("importance of %s", key.name).isNotNull();
        }
    }

    @Test
    void keysAreNamedLikeKafkaConnectKeys() {
        for (String name : EventRecordTransform.CONFIG_DEF.names()) {
            assertThat(name).matches("[a-z]+(\\.[a-z]+)+");
        }
    }
}
