package dev.eventstore.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.embedded.EmbeddedConnectWorker;
import dev.eventstore.jdbc.ConnectionSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.postgresql.Driver;

/**
 * The Connect peers: Debezium's PostgreSQL connector on a real Kafka Connect distributed worker in
 * the benchmark's JVM, as users run it, configured through the worker's REST API. Two deployments
 * share the worker:
 * <ul>
 *   <li>{@link Deployment#EVENT_ROUTER}: Debezium's outbox {@code EventRouter} on the events table
 *       ({@code event_id} as the {@code id} header, {@code stream_id} as the key, {@code data} as
 *       the value, every event to one topic);</li>
 *   <li>{@link Deployment#EVENTSTORE}: the product's own transform, the connector configuration of
 *       {@code config/connect/eventstore-source.json} (category topics, binary CloudEvents
 *       headers).</li>
 * </ul>
 * The worker has the settings of {@code config/connect/worker.properties} that bear on speed
 * ({@code producer.linger.ms=0}, {@code offset.flush.interval.ms=10000}) and Kafka's default
 * delivery (at least once, no exactly-once source support), the bridge's guarantee. The
 * connectors have the bridge's capture settings (pgoutput, 10 ms poll, batches of 2,048, a queue
 * of 8,192). What a connector has published is read from its topic's end offsets.
 */
final class ConnectPeers implements AutoCloseable {

    /** A connector configuration of the worker. */
    enum Deployment {
        EVENT_ROUTER("connect-router", "Debezium EventRouter on Kafka Connect", "id"),
        EVENTSTORE("connect-ours", "eventstore transform on Kafka Connect", EventRecordHeaders.ID);

        final String subjectId;
        final String subject;
        final String idHeader;

        Deployment(String subjectId, String subject, String idHeader) {
            this.subjectId = subjectId;
            this.subject = subject;
            this.idHeader = idHeader;
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String restUrl;
    private final AutoCloseable worker;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ConnectPeers(URI restUrl, AutoCloseable worker) {
        this.restUrl = restUrl.toString().replaceAll("/$", "");
        this.worker = worker;
    }

    /** The worker whose REST API answers at {@code restUrl}; {@code worker} stops it. */
    static ConnectPeers at(URI restUrl, AutoCloseable worker) {
        return new ConnectPeers(restUrl, worker);
    }

    /** The worker properties of the benchmark's workers, beside the single-broker ones. */
    static Map<String, String> workerProperties(String groupId) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("group.id", groupId);
        properties.put("config.storage.topic", groupId + "-configs");
        properties.put("offset.storage.topic", groupId + "-offsets");
        properties.put("status.storage.topic", groupId + "-status");
        properties.put("topic.creation.enable", "true");
        properties.put("producer.linger.ms", "0");
        properties.put("offset.flush.interval.ms", "10000");
        return properties;
    }

    static ConnectPeers start(String bootstrapServers) {
        EmbeddedConnectWorker worker = EmbeddedConnectWorker.start(bootstrapServers, workerProperties("bench-connect"));
        return new ConnectPeers(worker.restUrl(), worker);
    }

    /** The topic a deployment named {@code name} publishes the benchmark's game events to. */
    static String topic(Deployment deployment, String name) {
        return deployment == Deployment.EVENT_ROUTER ? "bench." + name + ".events" : "bench." + name + ".game";
    }

    /** The connector configuration of {@code deployment} on the benchmark's store, slot and topic. */
    static Map<String, String> config(Deployment deployment, String name, ConnectionSettings db, String schema, String slot) {
        Properties url = Driver.parseURL(db.url(), null);
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        c.put("tasks.max", "1");
        c.put("database.hostname", url.getProperty("PGHOST").split(",")[0]);
        c.put("database.port", url.getProperty("PGPORT").split(",")[0]);
        c.put("database.dbname", url.getProperty("PGDBNAME"));
        if (db.user() != null) {
            c.put("database.user", db.user());
        }
        if (db.password() != null) {
            c.put("database.password", db.password());
        }
        c.put("topic.prefix", "bench_cdc_" + name);
        c.put("plugin.name", "pgoutput");
        c.put("publication.name", schema + "_events");
        c.put("publication.autocreate.mode", "disabled");
        c.put("slot.name", slot);
        c.put("slot.drop.on.stop", "false");
        c.put("table.include.list", schema + "\\.events");
        c.put("tombstones.on.delete", "false");
        c.put("snapshot.mode", "no_data");
        c.put("poll.interval.ms", "10");
        c.put("max.batch.size", "2048");
        c.put("max.queue.size", "8192");
        c.put("statistics.metrics.enabled", "false");
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.put("header.converter", "org.apache.kafka.connect.storage.SimpleHeaderConverter");
        c.put("topic.creation.default.partitions", Integer.toString(PipelineWorkloads.PARTITIONS));
        c.put("topic.creation.default.replication.factor", "-1");
        c.put("errors.tolerance", "none");
        if (deployment == Deployment.EVENT_ROUTER) {
            c.put("transforms", "outbox");
            c.put("transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter");
            c.put("transforms.outbox.table.field.event.id", "event_id");
            c.put("transforms.outbox.table.field.event.key", "stream_id");
            c.put("transforms.outbox.table.field.event.payload", "data");
            c.put("transforms.outbox.route.by.field", "event_type");
            c.put("transforms.outbox.route.topic.replacement", topic(deployment, name));
        } else {
            c.put("transforms", "event");
            c.put("transforms.event.type", "dev.eventstore.connect.EventRecordTransform");
            c.put("transforms.event.events.schema", schema);
            c.put("transforms.event.events.table", "events");
            c.put("transforms.event.topic.prefix", "bench." + name);
            c.put("transforms.event.topic.mode", "category");
            c.put("transforms.event.cloudevents.source", "/eventstore");
            c.put("transforms.event.cloudevents.mode", "binary");
        }
        return c;
    }

    /** Waits until the worker's REST API answers, checking {@code alive} between attempts. */
    void awaitUp(Duration timeout, Runnable alive) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                call("GET", "/connectors", null, 200);
                return;
            } catch (IllegalStateException e) {
                last = e.getMessage();
            }
            alive.run();
            Thread.sleep(200); // polling the worker's REST API, bounded by the deadline
        }
        throw new IllegalStateException("the Kafka Connect worker did not answer within " + timeout.toSeconds() + " s: " + last);
    }

    /** Creates the connector {@code name} and waits until its task runs. */
    void create(String name, Map<String, String> config) throws InterruptedException {
        call("PUT", "/connectors/" + name + "/config", config, 201, 200);
        awaitState(name, "RUNNING");
    }

    /** Stops the connector (its offsets are committed and kept) and waits until it has stopped. */
    void stop(String name) throws InterruptedException {
        call("PUT", "/connectors/" + name + "/stop", null, 202, 204);
        awaitState(name, "STOPPED");
    }

    /** Starts a stopped connector again, from its committed offsets. */
    void resume(String name) throws InterruptedException {
        call("PUT", "/connectors/" + name + "/resume", null, 202, 204);
        awaitState(name, "RUNNING");
    }

    void delete(String name) {
        try {
            call("DELETE", "/connectors/" + name, null, 204, 404);
        } catch (RuntimeException | InterruptedException e) {
            // the worker is closed after the workloads; its connectors go with it
        }
    }

    /** The reason the connector's task failed, or {@code null} while it has not. */
    String failure(String name) {
        try {
            JsonNode status = JSON.readTree(call("GET", "/connectors/" + name + "/status", null, 200));
            for (JsonNode task : status.path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                    String trace = task.path("trace").asText("");
                    return "the Connect task failed: " + trace.lines().findFirst().orElse("(no trace)");
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // a status read that fails is not the task failing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void awaitState(String name, String state) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                JsonNode status = JSON.readTree(call("GET", "/connectors/" + name + "/status", null, 200, 404));
                last = status.toString();
                boolean connector = state.equals(status.path("connector").path("state").asText());
                boolean tasks = "STOPPED".equals(state) || (!status.path("tasks").isEmpty()
                        && state.equals(status.path("tasks").path(0).path("state").asText()));
                if (connector && tasks) {
                    return;
                }
                String failed = failure(name);
                if (failed != null) {
                    throw new IllegalStateException(failed);
                }
            } catch (IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(100); // polling the worker's status, bounded by the deadline
        }
        throw new IllegalStateException("Connect connector " + name + " not " + state + " within " + TIMEOUT.toSeconds()
                + " s: " + last);
    }

    private String call(String method, String path, Object body, int... expected) throws InterruptedException {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(restUrl + path))
                    .timeout(Duration.ofSeconds(60)).header("Accept", "application/json");
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (int code : expected) {
                if (response.statusCode() == code) {
                    return response.body();
                }
            }
            throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " "
                    + response.body().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e.getMessage(), e);
        }
    }

    /** The records in {@code topic} (the sum of its partitions' end offsets). */
    static long records(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }

    @Override
    public void close() throws Exception {
        worker.close();
    }
}
