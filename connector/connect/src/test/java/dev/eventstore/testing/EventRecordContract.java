package dev.eventstore.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.RecordedEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The Kafka record of one event, as docs/design.md ("Kafka record") defines it, checked against the
 * event as PostgreSQL stores it. Every deployment (the embedded bridge, Kafka Connect) must pass.
 */
public final class EventRecordContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventRecordContract() {
    }

    /** Category topic mode: the topic is {@code <prefix>.<category>}. */
    public static void assertRecord(ConsumerRecord<String, byte[]> record, RecordedEvent event, String topicPrefix,
                                    String source) {
        String category = event.streamId().contains("-") && !event.streamId().startsWith("-")
                ? event.streamId().substring(0, event.streamId().indexOf('-')) : event.streamId();
        assertThat(record.topic()).as("topic").isEqualTo(topicPrefix + "." + category);
        assertThat(record.key()).as("key").isEqualTo(event.streamId());
        assertThat(json(record.value())).as("value: the event's data").isEqualTo(json(event.data()));
        assertThat(record.timestamp()).as("timestamp: created_at").isEqualTo(event.createdAt().toEpochMilli());

        assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(record, "ce_id")).isEqualTo(Long.toString(event.eventId()));
        assertThat(header(record, "ce_source")).isEqualTo(source);
        assertThat(header(record, "ce_type")).isEqualTo(event.eventType());
        assertThat(header(record, "ce_subject")).isEqualTo(event.streamId());
        assertThat(header(record, "ce_time")).as("ce_time: RFC 3339, UTC").endsWith("Z");
        assertThat(Instant.parse(header(record, "ce_time"))).as("ce_time").isEqualTo(event.createdAt());
        assertThat(header(record, "content-type")).isEqualTo("application/json");
        assertThat(header(record, "ce_streamversion")).isEqualTo(Long.toString(event.streamVersion()));
        assertThat(header(record, "ce_eventversion")).isEqualTo(Integer.toString(event.eventVersion()));
        if (event.metadata() != null) {
            assertThat(json(header(record, "ce_metadata").getBytes(StandardCharsets.UTF_8)))
                    .as("ce_metadata").isEqualTo(json(event.metadata()));
            Object correlation = event.eventMetadata().correlationId();
            if (correlation != null) {
                assertThat(header(record, "ce_correlationid")).isEqualTo(correlation.toString());
            }
            Object causation = event.eventMetadata().causationId();
            if (causation != null) {
                assertThat(header(record, "ce_causationid")).isEqualTo(causation.toString());
            }
        }
    }

    public static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as("header " + name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
    }

    private static JsonNode json(String text) {
        return json(text.getBytes(StandardCharsets.UTF_8));
    }
}
