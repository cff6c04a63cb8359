package dev.eventstore.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventstore.RecordedEvent;
import dev.eventstore.connect.EventRecordHeaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * The Kafka record of one stored event, exactly as the bridge's transform writes it (docs/design.md,
 * "Kafka record"): key the stream id, value the data, timestamp created_at, the
 * CloudEvents headers. The consumer module cannot depend on the bridge, so its tests publish these
 * with a plain producer; {@code EventRecordsTest} checks them against the shared
 * {@code EventRecordContract} every deployment of the bridge passes.
 */
final class EventRecords {

    static final String SOURCE = "/eventstore";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RFC_3339_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private EventRecords() {
    }

    /** {@code <prefix>.<category>}, the category being the stream id up to its first '-'. */
    static String categoryTopic(String prefix, String streamId) {
        int dash = streamId.indexOf('-');
        return prefix + "." + (dash > 0 ? streamId.substring(0, dash) : streamId);
    }

    /** Binary mode: the value is the data, the rest in headers. */
    static ProducerRecord<String, byte[]> binary(RecordedEvent event, String topic) {
        return new ProducerRecord<>(topic, null, event.createdAt().toEpochMilli(), event.streamId(),
                event.data().getBytes(StandardCharsets.UTF_8), binaryHeaders(event));
    }

    static RecordHeaders binaryHeaders(RecordedEvent event) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, EventRecordHeaders.SPEC_VERSION, EventRecordHeaders.SPEC_VERSION_VALUE);
        add(headers, EventRecordHeaders.ID, Long.toString(event.eventId()));
        add(headers, EventRecordHeaders.SOURCE, SOURCE);
        add(headers, EventRecordHeaders.TYPE, event.eventType());
        add(headers, EventRecordHeaders.SUBJECT, event.streamId());
        add(headers, EventRecordHeaders.TIME, time(event.createdAt()));
        add(headers, EventRecordHeaders.CONTENT_TYPE, EventRecordHeaders.CONTENT_TYPE_JSON);
        add(headers, EventRecordHeaders.STREAM_VERSION, Long.toString(event.streamVersion()));
        add(headers, EventRecordHeaders.EVENT_VERSION, Integer.toString(event.eventVersion()));
        if (event.metadata() != null) {
            add(headers, EventRecordHeaders.METADATA, event.metadata());
            JsonNode metadata = json(event.metadata());
            scalar(metadata, "correlation_id", "correlationId")
                    .ifPresent(v -> add(headers, EventRecordHeaders.CORRELATION_ID, v));
            scalar(metadata, "causation_id", "causationId")
                    .ifPresent(v -> add(headers, EventRecordHeaders.CAUSATION_ID, v));
        }
        return headers;
    }

    /** Structured mode: the value is the whole CloudEvent; one header, content-type. */
    static ProducerRecord<String, byte[]> structured(RecordedEvent event, String topic) {
        ObjectNode cloudEvent = JSON.createObjectNode()
                .put("specversion", EventRecordHeaders.SPEC_VERSION_VALUE)
                .put("id", Long.toString(event.eventId()))
                .put("source", SOURCE)
                .put("type", event.eventType())
                .put("subject", event.streamId())
                .put("time", time(event.createdAt()))
                .put("datacontenttype", EventRecordHeaders.CONTENT_TYPE_JSON)
                .put("streamversion", Long.toString(event.streamVersion()))
                .put("eventversion", Integer.toString(event.eventVersion()));
        if (event.metadata() != null) {
            cloudEvent.put("metadata", event.metadata());
        }
        cloudEvent.set("data", json(event.data()));
        RecordHeaders headers = new RecordHeaders();
        add(headers, EventRecordHeaders.CONTENT_TYPE, EventRecordHeaders.CONTENT_TYPE_CLOUDEVENTS_JSON);
        return new ProducerRecord<>(topic, null, event.createdAt().toEpochMilli(), event.streamId(),
                cloudEvent.toString().getBytes(StandardCharsets.UTF_8), headers);
    }

    /** The record as a consumer would read it at {@code partition}/{@code offset}. */
    static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> record, int partition, long offset) {
        return new ConsumerRecord<>(record.topic(), partition, offset, record.timestamp(), TimestampType.CREATE_TIME,
                -1, record.value() == null ? -1 : record.value().length, record.key(), record.value(), record.headers(),
                Optional.empty());
    }

    static String time(Instant instant) {
        return RFC_3339_MICROS.format(instant);
    }

    static void add(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> scalar(JsonNode object, String... names) {
        for (String name : names) {
            JsonNode node = object.get(name);
            if (node != null && (node.isTextual() || node.isNumber())) {
                return Optional.of(node.asText());
            }
        }
        return Optional.empty();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
