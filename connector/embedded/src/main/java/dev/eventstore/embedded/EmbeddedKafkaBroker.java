package dev.eventstore.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker in this JVM: KRaft in combined mode ({@code process.roles=broker,controller},
 * a controller quorum of itself), the same code the Apache distribution runs. It listens on
 * loopback only, on two free ports: {@value #BROKER_LISTENER} for clients and
 * {@value #CONTROLLER_LISTENER} for the quorum.
 *
 * <p>Single-node settings: replication factor 1 and minimum in-sync replicas 1 for the consumer
 * offsets, transaction-state and share-coordinator topics (so transactions, idempotent producers
 * and Kafka Connect's exactly-once source support work on one broker), one partition for each of
 * those internal topics (their first use is then quick), and {@code group.initial.rebalance.delay.ms=0}
 * so a consumer group forms at once. Everything else is Kafka's default, including
 * {@code auto.create.topics.enable=true}; extra properties passed to
 * {@link #start(Path, Map)} are applied last and win.
 *
 * <p>The broker's threads are not daemons: {@link #close()} it, or the JVM never exits.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    public static final String BROKER_LISTENER = "PLAINTEXT";
    public static final String CONTROLLER_LISTENER = "CONTROLLER";
    public static final int NODE_ID = 1;

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final long READY_TIMEOUT_MS = 60_000;

    private final KafkaRaftServer server;
    private final Path logDirectory;
    private final boolean temporary;
    private final int port;
    private final int controllerPort;
    private boolean closed;

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path logDirectory, boolean temporary, int port,
                                int controllerPort) {
        this.server = server;
        this.logDirectory = logDirectory;
        this.temporary = temporary;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Starts a throw-away broker whose log directory is deleted when it closes. */
    public static EmbeddedKafkaBroker start() {
        return start(null, Map.of());
    }

    /** Starts a throw-away broker with extra broker properties (see {@link #start(Path, Map)}). */
    public static EmbeddedKafkaBroker start(Map<String, String> extraProperties) {
        return start(null, extraProperties);
    }

    /**
     * Starts a broker and returns once it serves clients.
     *
     * @param logDirectory where the broker keeps its logs and metadata; {@code null} for a temporary
     *     directory deleted on close. A directory formatted by an earlier start is reused as it is, so
     *     a developer's topics survive restarts of the {@code dev} command.
     * @param extraProperties further broker properties (for example {@code message.max.bytes},
     *     {@code auto.create.topics.enable}), applied last
     */
    public static EmbeddedKafkaBroker start(Path logDirectory, Map<String, String> extraProperties) {
        return start(logDirectory, 0, 0, extraProperties);
    }

    /**
     * Starts a broker on given ports: a test that stops the broker and starts it again on the same
     * log directory gives the ports it had ({@link #port()}, {@link #controllerPort()}), so that
     * clients find it where it was.
     *
     * @param port the client listener's loopback port; 0 picks a free one
     * @param controllerPort the controller listener's loopback port; 0 picks a free one
     * @see #start(Path, Map)
     */
    public static EmbeddedKafkaBroker start(Path logDirectory, int port, int controllerPort,
                                            Map<String, String> extraProperties) {
        if (port < 0 || port > 65535 || controllerPort < 0 || controllerPort > 65535
                || (port != 0 && port == controllerPort)) {
            throw new IllegalArgumentException("ports must be 0 (a free one) or two different ports from 1 to 65535, were "
                    + port + " and " + controllerPort);
        }
        return FreePorts.start("Embedded Kafka", new int[] {port, controllerPort}, FreePorts::loopback,
                ports -> startOn(logDirectory, ports[0], ports[1], extraProperties));
    }

    private static EmbeddedKafkaBroker startOn(Path logDirectory, int port, int controllerPort,
                                               Map<String, String> extraProperties) {
        boolean temporary = logDirectory == null;
        Path directory;
        try {
            directory = temporary
                    ? Files.createTempDirectory("embedded-kafka-")
                    : Files.createDirectories(logDirectory).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded Kafka failed to start: " + e.getMessage(), e);
        }

        Map<String, String> properties = new LinkedHashMap<>(brokerProperties(directory, port, controllerPort));
        properties.putAll(extraProperties);
        Properties props = new Properties();
        props.putAll(properties);

        long started = System.nanoTime();
        KafkaRaftServer server = null;
        try {
            KafkaConfig config = KafkaConfig.fromProps(props, false);
            format(config, directory);
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, directory, temporary, port, controllerPort);
            broker.awaitReady();
            log.info("Embedded Kafka started on {} in {} ms (log directory {})",
                    broker.bootstrapServers(), (System.nanoTime() - started) / 1_000_000, directory);
            return broker;
        } catch (RuntimeException | Error e) {
            stopQuietly(server);
            if (temporary) {
                deleteQuietly(directory);
            }
            throw new IllegalStateException("Embedded Kafka failed to start: " + e.getMessage(), e);
        }
    }

    /** The broker properties before the caller's extras; see the class comment. */
    static Map<String, String> brokerProperties(Path logDirectory, int port, int controllerPort) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", Integer.toString(NODE_ID));
        properties.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        properties.put("controller.listener.names", CONTROLLER_LISTENER);
        properties.put("inter.broker.listener.name", BROKER_LISTENER);
        properties.put("listeners",
                BROKER_LISTENER + "://127.0.0.1:" + port + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        properties.put("advertised.listeners", BROKER_LISTENER + "://127.0.0.1:" + port);
        properties.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        properties.put("log.dirs", logDirectory.toString());
        properties.put("num.partitions", "1");
        properties.put("default.replication.factor", "1");
        properties.put("min.insync.replicas", "1");
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("offsets.topic.num.partitions", "1");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("transaction.state.log.num.partitions", "1");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        properties.put("share.coordinator.state.topic.num.partitions", "1");
        properties.put("group.initial.rebalance.delay.ms", "0");
        // The log cleaner allocates its whole dedupe buffer on the heap when it starts (128 MiB by
        // default): a quarter of the 512 MiB the bridge, the bench or dev shares with this broker.
        // 16 MiB still maps about 600,000 keys per cleaning pass; compacted topics here are small.
        properties.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        return properties;
    }

    /** Formats the log directory unless an earlier start did (then it is reused unchanged). */
    private static void format(KafkaConfig config, Path directory) {
        String clusterId;
        try {
            clusterId = new MetaPropertiesEnsemble.Loader()
                    .addLogDirs(List.of(directory.toString()))
                    .load()
                    .clusterId()
                    .orElseGet(() -> Uuid.randomUuid().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the Kafka log directory " + directory + ": " + e.getMessage(), e);
        }
        Formatter formatter = new Formatter()
                .setClusterId(clusterId)
                .setNodeId(NODE_ID)
                .addDirectory(directory.toString())
                .setMetadataLogDirectory(config.metadataLogDir())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setIgnoreFormatted(true)
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()));
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("Could not format the Kafka log directory " + directory + ": "
                    + e.getMessage(), e);
        }
    }

    /** Confirms that the broker answers a client on its advertised listener before start returns. */
    private void awaitReady() {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT_MS,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT_MS);
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the embedded Kafka broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("The embedded Kafka broker did not answer within "
                    + READY_TIMEOUT_MS + " ms: " + e.getMessage(), e);
        }
    }

    /** {@code host:port} of the client listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return host() + ":" + port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The controller listener's port (the quorum of this one node). */
    public int controllerPort() {
        return controllerPort;
    }

    /** The log directory (temporary ones are deleted on close). */
    public Path logDirectory() {
        return logDirectory;
    }

    /** Whether the log directory is temporary and deleted on close. */
    public boolean isTemporary() {
        return temporary;
    }

    /**
     * Stops the broker and waits until its threads have ended, then deletes a temporary log
     * directory. Calling it again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        stopQuietly(server);
        if (temporary) {
            deleteQuietly(logDirectory);
        }
        log.info("Embedded Kafka on {} stopped in {} ms", bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
    }

    private static void stopQuietly(KafkaRaftServer server) {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Embedded Kafka did not stop cleanly: {}", e.getMessage());
        }
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("Could not delete the embedded Kafka log directory {}: {}", directory, e.getMessage());
        }
    }
}
