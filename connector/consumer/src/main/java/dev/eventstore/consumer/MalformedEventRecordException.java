package dev.eventstore.consumer;

import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A Kafka record that is not a readable event record: a header missing or invalid, a value that
 * is not JSON, an event type the registry does not know (when strict), data that does not fit its
 * class. The message is one line naming the topic and what is wrong, never the record's contents
 * (events carry player data).
 */
public class MalformedEventRecordException extends SerializationException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with the record, as a short code (also the dead-letter reason detail). */
    public enum Problem {
        /** The record has no value (a tombstone) or no headers. */
        NO_VALUE("no-value"),
        /** A required header (or structured-mode attribute) is absent. */
        MISSING_HEADER("missing-header"),
        /** A header (or attribute) is present but not valid: a version that is not a whole number, a bad time. */
        INVALID_HEADER("invalid-header"),
        /** The value (the event's data) is not JSON. */
        NOT_JSON("not-json"),
        /** The event type is not registered, and the deserializer is strict. */
        UNKNOWN_TYPE("unknown-type"),
        /** The data is JSON but cannot be read as its registered class, or upcasting it failed. */
        UNREADABLE_DATA("unreadable-data"),
        /** The event's version is newer than the registered one, or an upcaster is missing. */
        UNSUPPORTED_VERSION("unsupported-version");

        private final String code;

        Problem(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final String topic;
    private final Problem problem;
    private final String detail;

    public MalformedEventRecordException(String topic, Problem problem, String detail) {
        this(topic, problem, detail, null);
    }

    public MalformedEventRecordException(String topic, Problem problem, String detail, Throwable cause) {
        super("Malformed event record on topic '" + topic + "': " + oneLine(detail), cause);
        this.topic = topic;
        this.problem = Objects.requireNonNull(problem, "problem");
        this.detail = oneLine(detail);
    }

    /** The topic the record was read from. */
    public String topic() {
        return topic;
    }

    public Problem problem() {
        return problem;
    }

    /** What is wrong, one line, without the topic (e.g. {@code header ce_streamversion is not a whole number}). */
    public String detail() {
        return detail;
    }

    static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("[\\r\\n]+", " ").strip();
    }
}
