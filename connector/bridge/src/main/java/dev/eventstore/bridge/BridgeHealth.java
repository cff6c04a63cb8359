package dev.eventstore.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code /health} reports.
 *
 * @param running the Debezium engine is running (not stopped, not failed)
 * @param slotActive the replication slot is active for this bridge's own replication connection (it
 *        streams from it); a slot another process holds does not count
 * @param kafkaConnected the last check of the Kafka cluster succeeded
 * @param lastPublish when the last event was acknowledged, or {@code null}
 * @param failure why the bridge stopped, or {@code null}
 */
public record BridgeHealth(boolean running, boolean slotActive, boolean kafkaConnected, Instant lastPublish,
                           long published, String failure) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean up() {
        return running && slotActive && kafkaConnected && failure == null;
    }

    String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", up() ? "UP" : "DOWN");
        json.put("running", running);
        json.put("slotActive", slotActive);
        json.put("kafkaConnected", kafkaConnected);
        json.put("lastPublish", lastPublish == null ? null : lastPublish.toString());
        json.put("published", published);
        json.put("failure", failure);
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
