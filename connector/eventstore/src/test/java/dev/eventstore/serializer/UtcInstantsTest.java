package dev.eventstore.serializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UtcInstantsTest {

    record Stamped(Instant at) {
    }

    record Patterned(@JsonFormat(pattern = "yyyy-MM-dd HH:mm", timezone = "UTC") Instant at) {
    }

    /** jsr310 alone: what the default mapper must keep agreeing with. */
    private static final ObjectMapper GENERAL = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    private static final ObjectMapper MAPPER = EventSerializer.defaultMapper();

    @Test
    void readsEveryFractionLengthThatInstantToStringWrites() {
        assertThat(UtcInstants.parse("2024-05-01T12:34:56Z")).isEqualTo(Instant.parse("2024-05-01T12:34:56Z"));
        assertThat(UtcInstants.parse("2024-05-01T12:34:56.7Z")).isEqualTo(Instant.parse("2024-05-01T12:34:56.700Z"));
        assertThat(UtcInstants.parse("2024-05-01T12:34:56.789012Z")).isEqualTo(Instant.parse("2024-05-01T12:34:56.789012Z"));
        assertThat(UtcInstants.parse("1999-12-31T23:59:59.000000001Z")).isEqualTo(Instant.parse("1999-12-31T23:59:59.000000001Z"));
        assertThat(UtcInstants.parse("0001-01-01T00:00:00Z")).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
        assertThat(UtcInstants.parse("2024-02-29T00:00:00Z")).isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
    }

    @Test
    void leavesEveryOtherFormToTheGeneralParser() {
        for (String other : new String[] {
                "2024-02-30T12:00:00Z", "2023-02-29T12:00:00Z", "2024-13-01T12:00:00Z", "2024-05-01T24:00:00Z",
                "2024-05-01T12:60:00Z", "2024-05-01T12:00:60Z", "2024-05-01T14:34:56+02:00", "2024-05-01T12:34:56z",
                "2024-05-01 12:34:56Z", "2024-05-01T12:34:56.Z", "2024-05-01T12:34:56,5Z", "2024-05-01T12:34:56.1234567890Z",
                "+12024-05-01T12:34:56Z", "2024-5-01T12:34:56Z", "2024-05-01T12:34:5xZ", "2024-05-01", "", "Z"}) {
            assertThat(UtcInstants.parse(other)).as(other).isNull();
        }
    }

    @Test
    void agreesWithJsr310OnRandomInstants() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(Instant.parse("0001-01-01T00:00:00Z").getEpochSecond(),
                    Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            String json = MAPPER.writeValueAsString(new Stamped(instant));
            assertThat(MAPPER.readValue(json, Stamped.class)).as(json).isEqualTo(GENERAL.readValue(json, Stamped.class))
                    .isEqualTo(new Stamped(instant));
        }
    }

    @Test
    void theDefaultMapperKeepsJsr310ForOtherFormsAndFormats() throws Exception {
        assertThat(MAPPER.readValue("{\"at\":\"2024-05-01T14:34:56.5+02:00\"}", Stamped.class).at())
                .isEqualTo(Instant.parse("2024-05-01T12:34:56.500Z"));
        assertThat(MAPPER.readValue("{\"at\":1714566896.5}", Stamped.class).at())
                .isEqualTo(Instant.parse("2024-05-01T12:34:56.500Z"));
        assertThat(MAPPER.readValue("{\"at\":\"2024-05-01 12:34\"}", Patterned.class).at())
                .as("a property's own pattern is read by jsr310 alone").isEqualTo(Instant.parse("2024-05-01T12:34:00Z"));
        assertThatThrownBy(() -> MAPPER.readValue("{\"at\":\"2024-05-01T12:34:56Z\"}", Patterned.class))
                .as("and only by it: the UTC form is not that pattern").isInstanceOf(JsonMappingException.class);
        for (String bad : new String[] {"\"2024-02-30T12:00:00Z\"", "\"yesterday\"", "true"}) {
            String json = "{\"at\":" + bad + "}";
            Throwable ours = org.assertj.core.api.Assertions.catchThrowable(() -> MAPPER.readValue(json, Stamped.class));
            Throwable theirs = org.assertj.core.api.Assertions.catchThrowable(() -> GENERAL.readValue(json, Stamped.class));
            assertThat(ours).as(json).isInstanceOf(JsonMappingException.class).hasMessage(theirs.getMessage());
        }
    }
}
