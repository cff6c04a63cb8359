package dev.eventstore.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed configuration reference is what the ConfigDef generates. */
class ConfigReferenceTest {

    private static final String REGENERATE = "eventstore.docs.regenerate";

    @Test
    void committedReferenceIsUpToDate() throws IOException {
        // Surefire runs in the module directory.
        Path file = Path.of("").toAbsolutePath().resolve(ConfigReference.PATH);
        if (Boolean.getBoolean(REGENERATE)) {
            ConfigReference.write(file);
        }
        String hint = "connector/consumer/" + ConfigReference.PATH + " is out of date with"
                + " CheckpointingSubscriberConfig.CONFIG_DEF; regenerate it with: mvn -B -pl connector/consumer test"
                + " -Dtest=ConfigReferenceTest -D" + REGENERATE + "=true";

        assertThat(file).as(hint).exists();
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).as(hint).isEqualTo(ConfigReference.markdown());
    }
}
