package dev.eventstore;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The library's shared Jackson objects (thread-safe once built). */
final class Json {

    static final ObjectMapper MAPPER = JsonMapper.builder().build();
    static final JsonFactory FACTORY = MAPPER.getFactory();

    private Json() {
    }
}
