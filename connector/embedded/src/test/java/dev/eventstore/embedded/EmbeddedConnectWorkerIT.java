package dev.eventstore.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.Test;

class EmbeddedConnectWorkerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void runsAConnectorFoundByServiceLoadAndStopsWithoutLeavingThreads() throws Exception {
        Set<Thread> threadsBefore = liveNonDaemonThreads();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            try (EmbeddedConnectWorker worker = EmbeddedConnectWorker.start(broker)) {
                assertThat(worker.restUrl().getHost()).isEqualTo("127.0.0.1");

                JsonNode plugins = get(worker, "/connector-plugins?connectorsOnly=false");
                List<String> classes = new ArrayList<>();
                plugins.forEach(plugin -> classes.add(plugin.get("class").asText()));
                assertThat(classes).contains(CountingSourceConnector.class.getName(),
                        "org.apache.kafka.connect.transforms.InsertHeader");

                String config = """
                        {"connector.class": "%s", "tasks.max": "1", "topic": "counted", "count": "5",
                         "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                         "value.converter": "org.apache.kafka.connect.storage.StringConverter",
                         "topic.creation.default.replication.factor": "1",
                         "topic.creation.default.partitions": "1",
                         "transforms": "tag",
                         "transforms.tag.type": "org.apache.kafka.connect.transforms.InsertHeader",
                         "transforms.tag.header": "origin",
                         "transforms.tag.value.literal": "embedded"}
                        """.formatted(CountingSourceConnector.class.getName());
                HttpResponse<String> created = send(worker, "PUT", "/connectors/counting/config", config);
                assertThat(created.statusCode()).as(created.body()).isIn(200, 201);

                await().atMost(TIMEOUT).untilAsserted(() -> {
                    JsonNode status = get(worker, "/connectors/counting/status");
                    assertThat(status.path("connector").path("state").asText()).isEqualTo("RUNNING");
                    assertThat(status.path("tasks").path(0).path("state").asText()).isEqualTo("RUNNING");
                });
                List<ConsumerRecord<String, String>> records = consume(broker, "counted", 5);
                assertThat(records).extracting(ConsumerRecord::value).containsExactly("0", "1", "2", "3", "4");
                assertThat(new String(records.get(0).headers().lastHeader("origin").value(), StandardCharsets.UTF_8))
                        .isEqualTo("embedded");
            }
        }
        await().pollInSameThread().atMost(TIMEOUT).untilAsserted(() -> assertThat(leftoverThreadNames(threadsBefore))
                .as("non-daemon threads left behind by the worker or the broker").isEmpty());
    }

    @Test
    void kafkaExitRequestFailsTheCallingThreadInsteadOfTheJvmWhileAWorkerRuns() {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                EmbeddedConnectWorker worker = EmbeddedConnectWorker.start(broker)) {
            assertThatThrownBy(() -> Exit.exit(3, "test"))
                    .isInstanceOf(EmbeddedConnectWorker.KafkaExitException.class)
                    .hasMessageContaining("status 3");
        }
    }

    @Test
    void invalidWorkerConfigurationFailsStartClearly() {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            assertThatThrownBy(() -> EmbeddedConnectWorker.start(broker.bootstrapServers(),
                    Map.of("key.converter", "no.such.Converter")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no.such.Converter");
        }
    }

    private static JsonNode get(EmbeddedConnectWorker worker, String path) throws Exception {
        HttpResponse<String> response = send(worker, "GET", path, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(EmbeddedConnectWorker worker, String method, String path, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(worker.restUrl().toString().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<ConsumerRecord<String, String>> consume(EmbeddedKafkaBroker broker, String topic, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static Set<Thread> liveNonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && !thread.isDaemon())
                .collect(Collectors.toSet());
    }

    private static List<String> leftoverThreadNames(Set<Thread> before) {
        return liveNonDaemonThreads().stream()
                .filter(thread -> !before.contains(thread))
                .map(Thread::getName)
                .sorted()
                .collect(Collectors.toList());
    }
}
