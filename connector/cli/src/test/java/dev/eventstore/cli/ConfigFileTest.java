package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.bridge.BridgeConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigFileTest {

    @Test
    void readsWhatJavaPropertiesReadsLineByLine() {
        Properties properties = ConfigFile.parse("f", "# comment\n! other comment\n\na = 1\nb: two \\\n   lines\nc\\=d=3\n");

        assertThat(properties).containsEntry("a", "1").containsEntry("b", "two lines").containsEntry("c=d", "3").hasSize(3);
    }

    @Test
    void aKeyGivenTwiceIsRefusedNamingBothLines() {
        assertThatThrownBy(() -> ConfigFile.parse("f", "a=1\nb=x\\\n  y\n\nb = 2\n"))
                .isInstanceOf(CommandFailedException.class)
                .hasMessage("configuration file f: 'b' is set twice, on lines 2 and 5; keep one")
                .satisfies(e -> assertThat(((CommandFailedException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
    }

    @Test
    void aControlCharacterIsRefusedNamingItsLine() {
        assertThatThrownBy(() -> ConfigFile.parse("f", "a=1\nschema=x\u0000y\n"))
                .hasMessage("configuration file f line 2: control character U+0000 (a binary file?)");
    }

    @Test
    void aPasswordInTheFileIsMaskedFromThenOn() {
        ConfigFile.parse("f", "db.password=Fi1e-secret-value\n");

        assertThat(dev.eventstore.jdbc.PostgresErrors.mask("echo Fi1e-secret-value")).isEqualTo("echo ***");
    }

    @ParameterizedTest
    @ValueSource(strings = {"slot.name=a\"b", "slot.name=Upper", "bridge.name=a b", "bridge.name=a'b",
        "errors.dead.letter.topic=bad topic!", "errors.dead.letter.topic=.."})
    void illegalNamesAreRefused(String line) {
        Properties file = ConfigFile.parse("f", "db.url=jdbc:postgresql://h/db\ndb.user=u\nkafka.bootstrap.servers=h:1\n" + line);
        assertThatThrownBy(() -> BridgeConfig.load(file, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be");
    }

    @Test
    void longNamesAreRefusedAndShownShortened() {
        Properties file = ConfigFile.parse("f", "db.url=jdbc:postgresql://h/db\ndb.user=u\nkafka.bootstrap.servers=h:1\n"
                + "slot.name=" + "s".repeat(100));
        assertThatThrownBy(() -> BridgeConfig.load(file, Map.of())).hasMessageContaining("... (100 characters)");
        Properties ok = ConfigFile.parse("f", "db.url=jdbc:postgresql://h/db\ndb.user=u\nkafka.bootstrap.servers=h:1\n"
                + "slot.name=" + "s".repeat(63) + "\nbridge.name=" + "n".repeat(64) + "\nerrors.dead.letter.topic=dlq.events_1-x\n");
        assertThat(BridgeConfig.load(ok, Map.of()).slotName()).hasSize(63);
    }
}
