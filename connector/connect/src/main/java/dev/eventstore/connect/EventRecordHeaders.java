package dev.eventstore.connect;

/**
 * Names and fixed values of the headers of an event record (CloudEvents Kafka protocol binding,
 * binary mode). Every header value is a UTF-8 string. See {@link EventRecordTransform} for the
 * whole record contract.
 */
public final class EventRecordHeaders {

    /** Always {@value #SPEC_VERSION_VALUE}. */
    public static final String SPEC_VERSION = "ce_specversion";
    public static final String SPEC_VERSION_VALUE = "1.0";
    /** {@code events.event_id}, in decimal. */
    public static final String ID = "ce_id";
    /** The configured {@code cloudevents.source}. */
    public static final String SOURCE = "ce_source";
    /** {@code events.event_type}. */
    public static final String TYPE = "ce_type";
    /** {@code events.stream_id}. */
    public static final String SUBJECT = "ce_subject";
    /** {@code events.created_at}, RFC 3339 in UTC with microseconds: {@code 2024-05-01T12:34:56.789012Z}. */
    public static final String TIME = "ce_time";
    /** {@code events.stream_version}, in decimal. */
    public static final String STREAM_VERSION = "ce_streamversion";
    /** {@code events.event_version}, in decimal. */
    public static final String EVENT_VERSION = "ce_eventversion";
    /** {@code events.metadata} as JSON text; absent when the column is SQL NULL. */
    public static final String METADATA = "ce_metadata";
    /** The metadata's top-level {@code correlation_id} (or {@code correlationId}) when it is a string or number. */
    public static final String CORRELATION_ID = "ce_correlationid";
    /** The metadata's top-level {@code causation_id} (or {@code causationId}) when it is a string or number. */
    public static final String CAUSATION_ID = "ce_causationid";
    /** {@value #CONTENT_TYPE_JSON} in binary mode, {@value #CONTENT_TYPE_CLOUDEVENTS_JSON} in structured mode. */
    public static final String CONTENT_TYPE = "content-type";
    public static final String CONTENT_TYPE_JSON = "application/json";
    public static final String CONTENT_TYPE_CLOUDEVENTS_JSON = "application/cloudevents+json; charset=UTF-8";

    private EventRecordHeaders() {
    }
}
