package dev.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExpectedVersionTest {

    @Test
    void sqlEncodingRoundTrips() {
        assertThat(ExpectedVersion.ANY.sqlValue()).isEqualTo(-1);
        assertThat(ExpectedVersion.NO_STREAM.sqlValue()).isEqualTo(-2);
        assertThat(ExpectedVersion.STREAM_EXISTS.sqlValue()).isEqualTo(-3);
        assertThat(ExpectedVersion.exactly(0).sqlValue()).isZero();
        for (long v : new long[] {-1, -2, -3, 0, 1, 8001, Long.MAX_VALUE}) {
            assertThat(ExpectedVersion.fromSqlValue(v).sqlValue()).isEqualTo(v);
        }
        assertThat(ExpectedVersion.exactly(7)).isEqualTo(ExpectedVersion.exactly(7)).hasToString("7");
        assertThat(ExpectedVersion.NO_STREAM).hasToString("no stream");
    }

    @Test
    void parsesWordsAndNumbers() {
        assertThat(ExpectedVersion.parse("any")).isSameAs(ExpectedVersion.ANY);
        assertThat(ExpectedVersion.parse("NO_STREAM")).isSameAs(ExpectedVersion.NO_STREAM);
        assertThat(ExpectedVersion.parse("stream-exists")).isSameAs(ExpectedVersion.STREAM_EXISTS);
        assertThat(ExpectedVersion.parse(" 42 ")).isEqualTo(ExpectedVersion.exactly(42));
    }

    @ParameterizedTest
    @ValueSource(strings = {"two", "1.5", "0x10", "latest"})
    void refusesNonNumericVersions(String text) {
        assertThatThrownBy(() -> ExpectedVersion.parse(text)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("invalid expected version '" + text + "': use any, no_stream, stream_exists or a version number");
    }

    @Test
    void refusesNegativeVersions() {
        assertThatThrownBy(() -> ExpectedVersion.exactly(-1)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("invalid expected version -1: a stream version is 0 or more");
        assertThatThrownBy(() -> ExpectedVersion.parse("-3")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("invalid expected version -3: a stream version is 0 or more");
        assertThatThrownBy(() -> ExpectedVersion.fromSqlValue(-4)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> ExpectedVersion.parse(" ")).isInstanceOf(InvalidRequestException.class);
    }
}
