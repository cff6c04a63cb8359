package dev.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventValidatorTest {

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "1", "\"text\"", "null", "true", " {\"a\": [1, 2.5, {\"b\": null}]} ",
            "{\"emoji\":\"\\ud83d\\ude00\"}", "{\"n\":1e131071}", "{\"n\":-12.5e-16382}", "{\"ok\":\"é😀\"}"})
    void acceptsJsonThatJsonbAccepts(String json) {
        assertThat(EventValidator.jsonProblem(json, "data", false)).isNull();
    }

    @Test
    void refusesJsonThatJsonbRefuses() {
        assertThat(EventValidator.jsonProblem("{\"a\":\"\\u0000\"}", "data", false)).startsWith("the data contains \\u0000");
        assertThat(EventValidator.jsonProblem("[\"\\udc00\"]", "data", false)).startsWith("the data contains an unpaired UTF-16 surrogate");
        assertThat(EventValidator.jsonProblem("[\"\ud800\"]", "data", false)).startsWith("the data contains an unpaired UTF-16 surrogate");
        assertThat(EventValidator.jsonProblem("{\"n\":1e131072}", "data", false)).startsWith("the data contains a number outside");
        assertThat(EventValidator.jsonProblem("{\"n\":0.5e-16383}", "data", false)).startsWith("the data contains a number outside");
        assertThat(EventValidator.jsonProblem("NaN", "data", false)).startsWith("the data is not valid JSON");
        assertThat(EventValidator.jsonProblem("{'a':1}", "data", false)).startsWith("the data is not valid JSON");
        assertThat(EventValidator.jsonProblem("[1,]", "data", false)).startsWith("the data is not valid JSON");
        assertThat(EventValidator.jsonProblem("{\"a\":\"raw\ttab\"}", "data", false)).startsWith("the data is not valid JSON");
        assertThat(EventValidator.jsonProblem("[" .repeat(5000) + "]".repeat(5000), "data", false))
                .startsWith("the data exceeds a JSON limit: Document nesting depth");
    }

    @Test
    void reasonsNeverQuoteTheContent() {
        String reason = EventValidator.jsonProblem("{\"password\": hunter2}", "data", false);
        assertThat(reason).isEqualTo("the data is not valid JSON (line 1, column 14)").doesNotContain("hunter2");
    }

    @Test
    void metadataMustBeAnObject() {
        assertThat(EventValidator.jsonProblem("[]", "metadata", true)).isEqualTo("the metadata is not a JSON object");
        assertThat(EventValidator.jsonProblem("{}", "metadata", true)).isNull();
    }

    @Test
    void utf8LengthMatchesTheEncoder() {
        for (String s : new String[] {"", "abc", "é", "€", "😀", "a😀é€\u0000"}) {
            assertThat(EventValidator.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void namesAreCountedInCodePoints() {
        assertThat(EventValidator.nameProblem("😀".repeat(255), "stream id", 255)).isNull();
        assertThat(EventValidator.nameProblem("😀".repeat(256), "stream id", 255))
                .isEqualTo("the stream id is 256 characters, the limit is 255");
        assertThat(EventValidator.nameProblem("a\u0085b", "stream id", 255))
                .isEqualTo("the stream id contains a control character (U+0085 at index 1)");
        assertThat(EventValidator.nameProblem("a\udc00", "stream id", 255))
                .isEqualTo("the stream id contains an unpaired UTF-16 surrogate at index 1");
    }

    @Test
    void sizeIsCheckedBeforeTheJsonIsParsed() {
        EventValidator validator = new EventValidator(10);
        assertThat(validator.eventProblem(EventData.of("T", "not json at all")))
                .isEqualTo("the event is 16 bytes (type, data and metadata as UTF-8), the limit is 10 (eventstore.event.max-size-bytes)");
    }
}
