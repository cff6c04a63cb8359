package dev.eventstore.embedded;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka Connect worker in distributed mode in this JVM (the code {@code connect-distributed.sh}
 * runs), against a Kafka cluster such as {@link EmbeddedKafkaBroker}. Its REST API listens on
 * loopback, on a free port: drive it as an operator would, through {@link #restUrl()}.
 *
 * <p>Single-broker settings: replication factor 1 and one partition for the config, offset and
 * status topics; {@code plugin.discovery=service_load} (plugins are found on the class path, or on
 * a {@code plugin.path} passed as an extra property, through their {@code META-INF/services}
 * manifests); {@code offset.flush.interval.ms=1000} (Kafka's default is a minute); and
 * {@code scheduled.rebalance.max.delay.ms=0}, so a worker restarted into the same group gets its
 * connectors back at once instead of after up to five minutes. Extra properties passed to
 * {@link #start(String, Map)} are applied last and win (for example
 * {@code exactly.once.source.support=enabled}, or {@code group.id} for a second cluster).
 *
 * <p>Guard against Kafka's {@code Exit.exit}: Connect ends the JVM when the worker fails to start or
 * its herder thread fails. While any embedded worker runs, an exit request from Kafka code raises
 * an exception in the thread that asked instead (and is logged), so a failing worker fails its
 * test or {@code dev} run, not the JVM. {@code Exit.halt} is left alone.
 *
 * <p>Its threads are not all daemons: {@link #close()} it.
 */
public final class EmbeddedConnectWorker implements AutoCloseable {

    public static final String DEFAULT_GROUP_ID = "eventstore-connect";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedConnectWorker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private static final Object EXIT_GUARD_LOCK = new Object();
    private static int runningWorkers;

    private final Connect<? extends Herder> connect;
    private final URI restUrl;
    private final Map<String, String> workerProperties;
    private boolean closed;

    private EmbeddedConnectWorker(Connect<? extends Herder> connect, URI restUrl, Map<String, String> workerProperties) {
        this.connect = connect;
        this.restUrl = restUrl;
        this.workerProperties = workerProperties;
    }

    /** Starts a worker against {@code broker} with the default settings. */
    public static EmbeddedConnectWorker start(EmbeddedKafkaBroker broker) {
        return start(broker.bootstrapServers(), Map.of());
    }

    /**
     * Starts a worker and returns once it is ready ({@code GET /health} answers 200).
     *
     * @param bootstrapServers the Kafka cluster the worker keeps its topics in and produces to
     * @param extraProperties further worker properties, applied last
     */
    public static EmbeddedConnectWorker start(String bootstrapServers, Map<String, String> extraProperties) {
        Map<String, String> properties = new LinkedHashMap<>(workerProperties(bootstrapServers,
                extraProperties.getOrDefault("group.id", DEFAULT_GROUP_ID)));
        properties.putAll(extraProperties);

        long started = System.nanoTime();
        guardExit();
        ClassLoader callersLoader = Thread.currentThread().getContextClassLoader();
        Connect<? extends Herder> connect = null;
        try {
            // startConnect swaps this thread's context class loader for Connect's delegating loader.
            connect = new ConnectDistributed().startConnect(properties);
            Thread.currentThread().setContextClassLoader(callersLoader);
            URI restUrl = connect.rest().advertisedUrl();
            EmbeddedConnectWorker worker = new EmbeddedConnectWorker(connect, restUrl, Collections.unmodifiableMap(properties));
            worker.awaitReady();
            log.info("Embedded Kafka Connect worker started at {} in {} ms (group {})", worker.restUrl(),
                    (System.nanoTime() - started) / 1_000_000, properties.get("group.id"));
            return worker;
        } catch (RuntimeException | Error e) {
            Thread.currentThread().setContextClassLoader(callersLoader);
            if (connect != null) {
                stopQuietly(connect);
            }
            releaseExitGuard();
            throw new IllegalStateException("Embedded Kafka Connect worker failed to start: " + e.getMessage(), e);
        }
    }

    /** The worker properties before the caller's extras; see the class comment. */
    static Map<String, String> workerProperties(String bootstrapServers, String groupId) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("bootstrap.servers", bootstrapServers);
        properties.put("group.id", groupId);
        properties.put("config.storage.topic", groupId + "-configs");
        properties.put("offset.storage.topic", groupId + "-offsets");
        properties.put("status.storage.topic", groupId + "-status");
        properties.put("config.storage.replication.factor", "1");
        properties.put("offset.storage.replication.factor", "1");
        properties.put("status.storage.replication.factor", "1");
        properties.put("offset.storage.partitions", "1");
        properties.put("status.storage.partitions", "1");
        properties.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        properties.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        properties.put("listeners", "http://127.0.0.1:0");
        properties.put("rest.advertised.host.name", "127.0.0.1");
        properties.put("plugin.discovery", "service_load");
        properties.put("offset.flush.interval.ms", "1000");
        properties.put("scheduled.rebalance.max.delay.ms", "0");
        return properties;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest health = HttpRequest.newBuilder(restUrl.resolve("/health")).timeout(Duration.ofSeconds(15)).GET().build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            Future<?> herderTask = connect.herderTask();
            if (herderTask != null && herderTask.isDone()) {
                throw new IllegalStateException("The Connect herder stopped while starting: " + herderOutcome(herderTask));
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the Connect worker", e);
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the Connect worker", e);
            }
        }
        throw new IllegalStateException("The Connect worker was not healthy within " + READY_TIMEOUT.toSeconds()
                + " s; last answer to GET /health: " + last);
    }

    private static String herderOutcome(Future<?> herderTask) {
        try {
            herderTask.get();
            return "ended normally";
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    /** The REST API's base URL, for example {@code http://127.0.0.1:40123/}. */
    public URI restUrl() {
        return restUrl;
    }

    /** The properties the worker was started with. */
    public Map<String, String> workerProperties() {
        return workerProperties;
    }

    /** Stops the worker (its connectors and tasks, then the REST server) and waits until it has stopped. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        stopQuietly(connect);
        releaseExitGuard();
        log.info("Embedded Kafka Connect worker at {} stopped in {} ms", restUrl, (System.nanoTime() - started) / 1_000_000);
    }

    private static void stopQuietly(Connect<? extends Herder> connect) {
        try {
            connect.stop();
            connect.awaitStop();
        } catch (RuntimeException e) {
            log.warn("Embedded Kafka Connect worker did not stop cleanly: {}", e.toString());
        }
    }

    private static void guardExit() {
        synchronized (EXIT_GUARD_LOCK) {
            if (runningWorkers++ == 0) {
                Exit.setExitProcedure((statusCode, message) -> {
                    log.error("Kafka code asked to exit the JVM with status {} ({}); an embedded Connect worker is "
                            + "running, so this thread fails instead", statusCode, message);
                    throw new KafkaExitException(statusCode, message);
                });
            }
        }
    }

    private static void releaseExitGuard() {
        synchronized (EXIT_GUARD_LOCK) {
            if (--runningWorkers == 0) {
                Exit.resetExitProcedure();
            }
        }
    }

    /** Raised in place of the JVM exit that Kafka code asked for while an embedded worker runs. */
    public static final class KafkaExitException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int statusCode;

        KafkaExitException(int statusCode, String message) {
            super("Kafka asked to exit the JVM with status " + statusCode + (message == null ? "" : ": " + message));
            this.statusCode = statusCode;
        }

        public int statusCode() {
            return statusCode;
        }
    }
}
