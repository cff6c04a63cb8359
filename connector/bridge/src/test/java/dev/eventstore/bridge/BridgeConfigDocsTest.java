package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/** The committed configuration reference and example file are what the ConfigDef generates. */
class BridgeConfigDocsTest {

    private static final String REGENERATE = "eventstore.docs.regenerate";
    private static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();
    private static final String HINT = " is out of date with BridgeConfig.CONFIG_DEF; regenerate with:"
            + " mvn -B -pl connector/bridge test -Dtest=BridgeConfigDocsTest -D" + REGENERATE + "=true";

    @Test
    void committedReferenceAndExampleAreUpToDate() throws IOException {
        if (Boolean.getBoolean(REGENERATE)) {
            BridgeConfigDocs.write(ROOT);
        }
        assertThat(Files.readString(ROOT.resolve(BridgeConfigDocs.REFERENCE), StandardCharsets.UTF_8))
                .as(BridgeConfigDocs.REFERENCE + HINT).isEqualTo(BridgeConfigDocs.reference());
        assertThat(Files.readString(ROOT.resolve(BridgeConfigDocs.EXAMPLE), StandardCharsets.UTF_8))
                .as(BridgeConfigDocs.EXAMPLE + HINT).isEqualTo(BridgeConfigDocs.exampleProperties());
    }

    @Test
    void everyKeyIsDocumented() {
        for (ConfigDef.ConfigKey key : BridgeConfig.CONFIG_DEF.configKeys().values()) {
            assertThat(key.documentation).as(key.name).isNotBlank();
            assertThat(key.group).as(key.name).isNotBlank();
        }
    }

    @Test
    void exampleFileIsAValidConfiguration() throws IOException {
        Properties example = new Properties();
        try (Reader reader = Files.newBufferedReader(ROOT.resolve(BridgeConfigDocs.EXAMPLE))) {
            example.load(reader);
        }
        BridgeConfig config = BridgeConfig.load(example, java.util.Map.of());
        assertThat(config.slotName()).isEqualTo("eventstore_cdc");
        assertThat(config.publicationName()).isEqualTo("eventstore_events");
    }
}
