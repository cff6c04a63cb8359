package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.bridge.MirrorService;
import dev.eventstore.embedded.EmbeddedKafkaBroker;
import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.testing.TestDatabase;
import dev.eventstore.testing.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Readiness and the log through an outage, against real servers of the test's own (stopped and
 * started again on the same data and ports): {@code /health/ready} of the bridge and of the
 * mirror service turns DOWN within 30 s of Kafka, or PostgreSQL, going away, and UP again once it
 * is back; {@code /health/live} stays UP meanwhile; the log names the dependency once when it goes
 * and once when it is back, however many checks fail in between.
 */
class OutageHealthIT {

    private static final Duration DOWN_WITHIN = Duration.ofSeconds(30);
    private static final Duration BACK_WITHIN = Duration.ofSeconds(120);
    /**
     * Long enough for the checks to fail several times over: they run a second apart here
     * ({@link #CHECKS}), and a failing one waits up to 5 s for its answer.
     */
    private static final Duration AWAY = Duration.ofSeconds(12);
    private static final String CHECKS = "1000";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Logger outage;
    private Level previousLevel;
    private FaultRig rig;

    @TempDir
    Path directory;

    @BeforeEach
    void captureTheOutageLog() {
        outage = (Logger) LoggerFactory.getLogger("dev.eventstore.outage");
        previousLevel = outage.getLevel();
        outage.setLevel(Level.INFO); // as the release's logback.xml sets it
        logged.start();
        outage.addAppender(logged);
    }

    @AfterEach
    void cleanUp() throws Exception {
        // In reverse order: the bridge and the mirror, the slot, then the test's own server.
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        outage.detachAppender(logged);
        outage.setLevel(previousLevel);
    }

    @Test
    void kafkaAwayTurnsBothNotReadyWithinThirtySecondsLoggedOnceEachWay() throws Exception {
        Path logs = directory.resolve("kafka");
        EmbeddedKafkaBroker[] broker = {EmbeddedKafkaBroker.start(logs, 0, 0, Map.of())};
        closing.add(() -> broker[0].close());
        int port = broker[0].port();
        int controllerPort = broker[0].controllerPort();
        rig = new FaultRig(TestDatabase.get().settings(), broker[0].bootstrapServers());
        closing.add(rig::dropSlot);
        Map<String, String> http = Map.of("http.port", "0", "metrics.store.interval.ms", "1000", "mirror.interval.ms", "500",
                "health.check.interval.ms", CHECKS);

        EventBridge bridge = rig.startInProcess(http);
        closing.add(bridge);
        MirrorService mirror = MirrorService.start(rig.config(http));
        closing.add(mirror);
        String bridgeUrl = "http://127.0.0.1:" + bridge.httpPort();
        String mirrorUrl = "http://127.0.0.1:" + mirror.httpPort();
        awaitStatus(bridgeUrl + "/health/ready", 200, BACK_WITHIN);
        awaitStatus(mirrorUrl + "/health/ready", 200, BACK_WITHIN);
        assertThat(get(mirrorUrl + "/metrics").body()).contains("eventstore_ready{component=\"mirror\"} 1.0");
        assertThat(get(bridgeUrl + "/metrics").body()).contains("eventstore_ready{component=\"bridge\"} 1.0",
                "kafka_producer_", "hikaricp_connections", "jvm_memory_used_bytes", "process_cpu_usage");
        assertThat(logged.list).as("nothing logged while all is well").isEmpty();

        broker[0].close();
        long away = System.nanoTime();
        long bridgeDownMs = awaitStatus(bridgeUrl + "/health/ready", 503, DOWN_WITHIN);
        long mirrorDownMs = awaitStatus(mirrorUrl + "/health/ready", 503, DOWN_WITHIN);
        assertThat(get(bridgeUrl + "/health/ready").body()).contains("\"kafka\":{\"status\":\"DOWN\"");
        assertThat(get(mirrorUrl + "/health/ready").body()).contains("\"kafka\":{\"status\":\"DOWN\"");
        assertThat(get(bridgeUrl + "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(mirrorUrl + "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(mirrorUrl + "/metrics").body()).contains("eventstore_ready{component=\"mirror\"} 0.0");
        holdFor(away, AWAY, bridgeUrl + "/health/ready", mirrorUrl + "/health/ready");

        broker[0] = EmbeddedKafkaBroker.start(logs, port, controllerPort, Map.of());
        long back = System.nanoTime();
        awaitStatus(bridgeUrl + "/health/ready", 200, BACK_WITHIN);
        awaitStatus(mirrorUrl + "/health/ready", 200, BACK_WITHIN);
        long upMs = (System.nanoTime() - back) / 1_000_000;

        String kafka = "Kafka at " + broker[0].bootstrapServers();
        assertThat(lines("The bridge cannot reach " + kafka)).as(all()).hasSize(1);
        assertThat(lines("The offset mirror cannot reach " + kafka)).as(all()).hasSize(1);
        assertThat(lines("The bridge reaches " + kafka + " again")).as(all()).hasSize(1);
        assertThat(lines("The offset mirror reaches " + kafka + " again")).as(all()).hasSize(1);
        assertThat(logged.list).as(all()).allMatch(e -> e.getMessage().contains(kafka) || e.getFormattedMessage().contains(kafka));
        System.out.printf("OUTAGE kafka bridge_not_ready_ms=%d mirror_not_ready_ms=%d ready_again_ms=%d log_lines=%d%n",
                bridgeDownMs, mirrorDownMs, upMs, logged.list.size());
    }

    @Test
    void postgresAwayTurnsBothNotReadyWithinThirtySecondsLoggedOnceEachWay() throws Exception {
        Path data = directory.resolve("pgdata");
        EmbeddedPostgresServer[] server = {EmbeddedPostgresServer.start(data, 0, Map.of())};
        closing.add(() -> server[0].close());
        int port = server[0].port();
        rig = new FaultRig(new ConnectionSettings(server[0].jdbcUrl(), EmbeddedPostgresServer.SUPERUSER, null),
                TestKafka.bootstrapServers());
        closing.add(rig::dropSlot); // before the server it lives on stops
        Map<String, String> http = Map.of("http.port", "0", "metrics.store.interval.ms", "1000", "mirror.interval.ms", "500",
                "health.check.interval.ms", CHECKS);

        EventBridge bridge = rig.startInProcess(http);
        closing.add(bridge);
        MirrorService mirror = MirrorService.start(rig.config(http));
        closing.add(mirror);
        String bridgeUrl = "http://127.0.0.1:" + bridge.httpPort();
        String mirrorUrl = "http://127.0.0.1:" + mirror.httpPort();
        awaitStatus(bridgeUrl + "/health/ready", 200, BACK_WITHIN);
        awaitStatus(mirrorUrl + "/health/ready", 200, BACK_WITHIN);
        logged.list.clear();

        server[0].close(); // pg_ctl stop -m fast
        long away = System.nanoTime();
        long bridgeDownMs = awaitStatus(bridgeUrl + "/health/ready", 503, DOWN_WITHIN);
        long mirrorDownMs = awaitStatus(mirrorUrl + "/health/ready", 503, DOWN_WITHIN);
        assertThat(get(mirrorUrl + "/health/ready").body()).contains("\"postgres\":{\"status\":\"DOWN\"");
        assertThat(get(mirrorUrl + "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(bridgeUrl + "/health/live").statusCode()).isEqualTo(200);
        // Back within the bridge lock's window (60 s), so the bridge runs on.
        holdFor(away, AWAY, bridgeUrl + "/health/ready", mirrorUrl + "/health/ready");

        server[0] = EmbeddedPostgresServer.start(data, port, Map.of());
        long back = System.nanoTime();
        awaitStatus(mirrorUrl + "/health/ready", 200, BACK_WITHIN);
        awaitStatus(bridgeUrl + "/health/ready", 200, BACK_WITHIN);
        long upMs = (System.nanoTime() - back) / 1_000_000;

        String postgres = "PostgreSQL at " + rig.config(Map.of()).connection().displayUrl();
        assertThat(lines("The bridge cannot reach " + postgres)).as(all()).hasSize(1);
        assertThat(lines("The offset mirror cannot reach " + postgres)).as(all()).hasSize(1);
        assertThat(lines("The bridge reaches " + postgres + " again")).as(all()).hasSize(1);
        assertThat(lines("The offset mirror reaches " + postgres + " again")).as(all()).hasSize(1);
        System.out.printf("OUTAGE postgres bridge_not_ready_ms=%d mirror_not_ready_ms=%d ready_again_ms=%d log_lines=%d%n",
                bridgeDownMs, mirrorDownMs, upMs, logged.list.size());
    }

    private List<ILoggingEvent> lines(String start) {
        return logged.list.stream().filter(e -> e.getFormattedMessage().startsWith(start)).toList();
    }

    private String all() {
        StringBuilder text = new StringBuilder("outage log:\n");
        logged.list.forEach(e -> text.append(e.getLevel()).append(' ').append(e.getFormattedMessage()).append('\n'));
        return text.toString();
    }

    /** Waits, bounded, for a status; returns how long it took in ms. */
    private static long awaitStatus(String url, int status, Duration within) {
        long started = System.nanoTime();
        await().atMost(within).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> get(url).statusCode() == status);
        return (System.nanoTime() - started) / 1_000_000;
    }

    /**
     * Keeps the dependency away until {@code duration} after {@code since}, the checks failing
     * again and again, while both readiness probes keep answering 503.
     */
    private static void holdFor(long since, Duration duration, String... readyUrls) {
        long remaining = duration.toMillis() - (System.nanoTime() - since) / 1_000_000;
        if (remaining > 0) {
            await().during(Duration.ofMillis(remaining)).atMost(Duration.ofMillis(remaining + 10_000))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        for (String url : readyUrls) {
                            if (get(url).statusCode() != 503) {
                                return false;
                            }
                        }
                        return true;
                    });
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
