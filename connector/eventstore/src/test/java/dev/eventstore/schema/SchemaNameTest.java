package dev.eventstore.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"eventstore", "game_events", "_private", "s1"})
    void acceptsPlainIdentifiers(String name) {
        assertThat(SchemaName.of(name).value()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1abc", "Events", "event-store", "a b", "x;DROP TABLE events", "\"quoted\""})
    void refusesAnythingThatWouldNeedQuoting(String name) {
        assertThatThrownBy(() -> SchemaName.of(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid schema name '" + name + "'");
    }

    @org.junit.jupiter.api.Test
    void refusesOverLongNames() {
        assertThatThrownBy(() -> SchemaName.of("a".repeat(64))).hasMessageContaining("1 to 63");
    }
}
