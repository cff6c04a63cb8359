package dev.eventstore.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.testing.TestKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring files against a running bridge: every metric the alert rules and the dashboard
 * query is in its {@code /metrics}, and a real Prometheus ({@code /usr/bin/prometheus}, Debian's
 * {@code prometheus} package; skipped where it is missing) scraping it with monitoring/alerts.yml
 * fires EventStoreDeadLetterRecords when Kafka refuses an event and the bridge parks it.
 */
class PrometheusAlertsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final String group = "monitoring-" + System.nanoTime();
    private EventBridge bridge;
    private Process prometheus;

    @TempDir
    Path directory;

    @BeforeEach
    void startBridge() throws Exception {
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put(BridgeConfig.environmentVariable(BridgeConfig.Key.HTTP_PORT), "0");
        environment.put(BridgeConfig.environmentVariable(BridgeConfig.Key.METRICS_STORE_INTERVAL_MS), "1000");
        environment.put(BridgeConfig.environmentVariable(BridgeConfig.Key.ERRORS_POLICY), "dead-letter");
        // The "big" category's topic takes records of at most 2 kB: a larger event is dead-lettered.
        String bigTopic = environment.get(BridgeConfig.environmentVariable("topic.prefix")) + ".big";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(bigTopic, 1, (short) 1).configs(Map.of("max.message.bytes", "2048"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        bridge = EventBridge.start(BridgeConfig.load(new Properties(), environment), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
    }

    private String metricsUrl() {
        return "http://127.0.0.1:" + bridge.httpPort() + "/metrics";
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    @Test
    void everyMetricTheAlertsAndTheDashboardQueryIsExported() throws Exception {
        // Store gauges carry a row per category and per subscription only once there are some.
        support.store().append("game-1", ExpectedVersion.ANY, EventData.of("Tick", "{}"));
        support.store().append("game-1", ExpectedVersion.ANY, EventData.of("Tick", "{}"));
        long first = support.store().readStreamForward("game-1", 1, 1).get(0).eventId();
        support.store().subscriptions().recordPosition(group, "game-1", first, 1, null);
        TestKafka.readUntil(support.topics(), r -> r.size() >= 2, TIMEOUT);
        System.gc(); // the JVM's GC timers appear with the first collection
        Awaitility.await("the store gauges in /metrics").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    String scrape = get(metricsUrl());
                    return scrape.contains("category=\"game\"") && scrape.contains("subscription=\"" + group + "\"");
                });
        Set<String> exported = MonitoringFiles.sampleNames(get(metricsUrl()));

        Map<String, Set<String>> used = new java.util.TreeMap<>();
        MonitoringFiles.alertExpressions().forEach(e -> MonitoringFiles.metricNames(e)
                .forEach(name -> used.computeIfAbsent(name, n -> new TreeSet<>()).add("monitoring/alerts.yml")));
        MonitoringFiles.dashboardExpressions().forEach(e -> MonitoringFiles.metricNames(e)
                .forEach(name -> used.computeIfAbsent(name, n -> new TreeSet<>()).add("monitoring/dashboard.json")));
        assertThat(used).as("names read from the monitoring files").hasSizeGreaterThan(15);
        Map<String, Set<String>> missing = new java.util.TreeMap<>(used);
        missing.keySet().removeAll(exported);
        assertThat(missing).as("metrics the monitoring files query that the bridge's /metrics does not export (name ="
                + " files using it); exported: " + exported).isEmpty();
    }

    @Test
    void prometheusFiresTheDeadLetterAlert() throws Exception {
        assumeTrue(Files.isExecutable(MonitoringFiles.PROMETHEUS),
                "prometheus missing (Debian package prometheus): the alert rules were not run against the bridge");
        Path config = Files.writeString(directory.resolve("prometheus.yml"), String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  evaluation_interval: 1s",
                "rule_files:",
                "  - " + MonitoringFiles.ALERTS,
                "scrape_configs:",
                "  - job_name: eventstore-bridge",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + bridge.httpPort() + "']",
                ""));
        Path log = directory.resolve("prometheus.log");
        // A port found free may be taken (by a client's connection) before Prometheus binds it: then
        // Prometheus exits at once saying so, and another port is tried, three in all.
        int port = 0;
        for (int attempt = 1; prometheus == null; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            Process started = new ProcessBuilder(MonitoringFiles.PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
            String ready = "http://127.0.0.1:" + port + "/-/ready";
            Awaitility.await("Prometheus listening or gone").atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> !started.isAlive() || get(ready) != null);
            if (started.isAlive()) {
                prometheus = started;
            } else if (attempt == 3 || !read(log).contains("address already in use")) {
                throw new AssertionError("prometheus exited: " + read(log));
            }
        }
        String api = "http://127.0.0.1:" + port + "/api/v1/";
        ObjectMapper json = new ObjectMapper();

        // Prometheus has the counter at 0 before anything goes to the dead-letter topic.
        Awaitility.await("Prometheus scraping the bridge").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> {
                    assertThat(prometheus.isAlive()).as(() -> "prometheus exited: " + read(log)).isTrue();
                    JsonNode result = json.readTree(get(api + "query?query="
                            + URLEncoder.encode("eventstore_bridge_events_dead_lettered_total", StandardCharsets.UTF_8)))
                            .at("/data/result");
                    return result.size() == 1 && result.get(0).at("/value/1").asText().equals("0");
                });
        assertThat(firing(json, api)).as("no alert fires on a healthy bridge").doesNotContain("EventStoreDeadLetterRecords");

        support.store().append("big-1", ExpectedVersion.NO_STREAM,
                EventData.of("Snapshot", "{\"blob\":\"" + "x".repeat(10_000) + "\"}"));
        TestKafka.readUntil(java.util.regex.Pattern.quote(support.environment()
                .get(BridgeConfig.environmentVariable("topic.prefix")) + ".dead-letter"), r -> r.size() >= 1, TIMEOUT);

        Awaitility.await("EventStoreDeadLetterRecords firing").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> firing(json, api).contains("EventStoreDeadLetterRecords"));
        JsonNode alert = alerts(json, api).findParents("alertname").stream()
                .filter(labels -> labels.path("alertname").asText().equals("EventStoreDeadLetterRecords")).findFirst().orElseThrow();
        assertThat(alert.path("severity").asText()).isEqualTo("warning");
        assertThat(alert.path("job").asText()).isEqualTo("eventstore-bridge");
    }

    private static JsonNode alerts(ObjectMapper json, String api) throws Exception {
        return json.readTree(get(api + "alerts")).at("/data/alerts");
    }

    /** The names of the alerts firing now. */
    private static Set<String> firing(ObjectMapper json, String api) throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode alert : alerts(json, api)) {
            if ("firing".equals(alert.path("state").asText())) {
                names.add(alert.at("/labels/alertname").asText());
            }
        }
        return names;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
