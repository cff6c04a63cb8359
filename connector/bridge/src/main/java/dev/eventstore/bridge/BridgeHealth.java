package dev.eventstore.bridge;

import java.time.Instant;
import java.util.List;

/**
 * The bridge's state as {@code /health/ready} reports it.
 *
 * @param running the Debezium engine is running (not stopped, not failed)
 * @param slotActive the replication slot is active for this bridge's own replication connection (it
 *        streams from it); a slot another process holds does not count
 * @param kafkaConnected the last check of the Kafka cluster succeeded
 * @param lastPublish when the last event was acknowledged, or {@code null}
 * @param failure why the bridge stopped, or {@code null}
 * @param postgresReachable the last check of PostgreSQL (the monitor loop's connection) succeeded
 * @param offsetsSaved the offsets were saved recently: the last flush to {@code cdc_offsets} succeeded,
 *        and no event acknowledged since the last save has waited more than ten flush intervals
 *        (at least 60 s) for one
 * @param offsetsDetail when the offsets were last saved, or why the last flush failed
 */
public record BridgeHealth(boolean running, boolean slotActive, boolean kafkaConnected, Instant lastPublish,
                           long published, String failure, boolean postgresReachable, boolean offsetsSaved,
                           String offsetsDetail) {

    /** Ready: running, streaming from its slot, Kafka and PostgreSQL answering, offsets saved. */
    public boolean up() {
        return running && slotActive && kafkaConnected && postgresReachable && offsetsSaved && failure == null;
    }

    /** The checks of {@code /health/ready}. */
    public HealthReport readiness() {
        return new HealthReport("bridge", List.of(
                new HealthReport.Check("engine", running && failure == null,
                        failure != null ? "stopped: " + failure : running ? "streaming" : "starting"),
                new HealthReport.Check("slot", slotActive, slotActive ? "active for this bridge" : "not active for this bridge"),
                new HealthReport.Check("kafka", kafkaConnected, kafkaConnected ? "reachable" : "unreachable"),
                new HealthReport.Check("postgres", postgresReachable, postgresReachable ? "reachable" : "unreachable"),
                new HealthReport.Check("offsets", offsetsSaved, offsetsDetail),
                new HealthReport.Check("published", true, published + " events"
                        + (lastPublish == null ? "" : ", last at " + lastPublish))));
    }
}
