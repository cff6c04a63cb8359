package dev.eventstore.serializer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;

/**
 * Reads an {@link Instant} written in UTC by {@link Instant#toString()} (how the default mapper
 * writes one) with {@link UtcInstants}, and hands every other form to jackson-datatype-jsr310's
 * {@link InstantDeserializer}, which keeps its behaviour: offsets, numeric timestamps, leniency,
 * a property's {@code @JsonFormat} (such a property gets jsr310's deserializer alone), and its
 * error messages. {@link EventSerializer#defaultMapper()} includes it; a mapper of your own gets it
 * with {@link #module()}, registered after {@code JavaTimeModule}.
 */
public final class UtcInstantDeserializer extends StdScalarDeserializer<Instant> implements ContextualDeserializer {

    private static final long serialVersionUID = 1L;

    private final InstantDeserializer<Instant> general;

    public UtcInstantDeserializer() {
        this(InstantDeserializer.INSTANT);
    }

    private UtcInstantDeserializer(InstantDeserializer<Instant> general) {
        super(Instant.class);
        this.general = general;
    }

    /** A module that reads instants with this deserializer. */
    public static SimpleModule module() {
        return new SimpleModule("eventstore-utc-instants").addDeserializer(Instant.class, new UtcInstantDeserializer());
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        if (parser.hasToken(JsonToken.VALUE_STRING)) {
            Instant instant = UtcInstants.parse(parser.getText());
            if (instant != null) {
                return instant;
            }
        }
        return general.deserialize(parser, context);
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext context, BeanProperty property)
            throws JsonMappingException {
        JsonDeserializer<?> contextual = general.createContextual(context, property);
        // jsr310 returns itself unless the property asks for something of its own (a pattern, a
        // leniency, a time zone): then that deserializer alone reads it, exactly as without us.
        return contextual == general ? this : contextual;
    }
}
