package dev.eventstore.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The {@code --json} output of the commands: one indented JSON document on stdout, times as
 * RFC 3339 strings in UTC ({@code 2026-12-06T23:00:00Z}; the store's timestamps, which hold UTC
 * without a zone, get their {@code Z}). Whatever goes wrong still ends as one line on stderr and
 * an exit code.
 */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .registerModule(new SimpleModule().addSerializer(LocalDateTime.class, new UtcSerializer()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    /** A timestamp of the store (UTC by the schema's convention) as an instant. */
    private static final class UtcSerializer extends StdSerializer<LocalDateTime> {
        UtcSerializer() {
            super(LocalDateTime.class);
        }

        @Override
        public void serialize(LocalDateTime value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeString(value.toInstant(ZoneOffset.UTC).toString());
        }
    }

    private Json() {
    }

    static void print(PrintWriter out, Object value) {
        try {
            out.println(MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
