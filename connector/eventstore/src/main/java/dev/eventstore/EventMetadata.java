package dev.eventstore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * An event's metadata: a JSON object with the well-known keys {@value #CORRELATION_ID} (the
 * conversation the event belongs to, e.g. one game session), {@value #CAUSATION_ID} (the command
 * or event that caused it), {@value #ACTOR} (who did it: a player id, {@code system}) and
 * {@value #EVENT_UUID} (an id the client chooses, which makes a retried append idempotent: see
 * {@link EventStore#append(String, ExpectedVersion, java.util.List)}), plus any other keys the
 * caller adds. Immutable.
 */
public final class EventMetadata {

    public static final String CORRELATION_ID = "correlation_id";
    public static final String CAUSATION_ID = "causation_id";
    public static final String ACTOR = "actor";
    public static final String EVENT_UUID = "event_uuid";

    private static final EventMetadata EMPTY = new EventMetadata(Map.of());
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    private final Map<String, Object> values;

    private EventMetadata(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static EventMetadata empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder(new LinkedHashMap<>());
    }

    /** A builder that starts with this metadata's keys. */
    public Builder toBuilder() {
        return new Builder(new LinkedHashMap<>(values));
    }

    /**
     * Parses a JSON object; {@code null} gives {@link #empty()}.
     *
     * @throws IllegalArgumentException if {@code json} is not a JSON object
     */
    public static EventMetadata fromJson(String json) {
        if (json == null) {
            return EMPTY;
        }
        try {
            Map<String, Object> map = Json.MAPPER.readValue(json, MAP);
            return map == null ? EMPTY : new EventMetadata(map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata is not a JSON object (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")", e);
        }
    }

    public String correlationId() {
        return string(CORRELATION_ID);
    }

    public String causationId() {
        return string(CAUSATION_ID);
    }

    public String actor() {
        return string(ACTOR);
    }

    /**
     * The client-chosen id of the event, or {@code null} when it has none.
     *
     * @throws IllegalArgumentException if the value is not a UUID in its canonical text form
     */
    public UUID eventUuid() {
        Object value = values.get(EVENT_UUID);
        return value == null ? null : EventUuids.parse(value);
    }

    /** The value of {@code key} (a String, Number, Boolean, List or Map), or {@code null}. */
    public Object get(String key) {
        return values.get(key);
    }

    /** Every key, the well-known ones included, in insertion order. */
    public Map<String, Object> asMap() {
        return values;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The metadata as a JSON object. */
    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private String string(String key) {
        Object value = values.get(key);
        return value == null ? null : value.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EventMetadata m && m.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** The keys only: values may carry player data, which is logged only at TRACE. */
    @Override
    public String toString() {
        return "EventMetadata" + values.keySet();
    }

    /** Builds {@link EventMetadata}; a {@code null} value removes the key. */
    public static final class Builder {

        private final Map<String, Object> values;

        private Builder(Map<String, Object> values) {
            this.values = values;
        }

        public Builder correlationId(String correlationId) {
            return put(CORRELATION_ID, correlationId);
        }

        public Builder causationId(String causationId) {
            return put(CAUSATION_ID, causationId);
        }

        public Builder actor(String actor) {
            return put(ACTOR, actor);
        }

        /** The client-chosen id that makes a retried append of the event idempotent. */
        public Builder eventUuid(UUID eventUuid) {
            return put(EVENT_UUID, eventUuid == null ? null : eventUuid.toString());
        }

        /** Any other key; the value must be writable by Jackson (String, Number, Boolean, List, Map, record). */
        public Builder put(String key, Object value) {
            Objects.requireNonNull(key, "key");
            if (value == null) {
                values.remove(key);
            } else {
                values.put(key, value);
            }
            return this;
        }

        public EventMetadata build() {
            return values.isEmpty() ? EMPTY : new EventMetadata(new LinkedHashMap<>(values));
        }
    }
}
