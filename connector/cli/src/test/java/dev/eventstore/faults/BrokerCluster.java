package dev.eventstore.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A Kafka cluster of three brokers, each its own JVM running Apache Kafka's {@code kafka.Kafka}
 * main class from this test's class path, so that a broker can be killed with SIGKILL as a machine
 * loss would end it. Each node is broker and controller (a KRaft quorum of three voters, so the
 * cluster keeps a controller majority with one node down). Replication factor 3 and
 * {@code min.insync.replicas} 2 are the brokers' defaults, for the internal topics too: a write
 * acknowledged with {@code acks=all} is on at least two brokers.
 *
 * <p>Everything else is Kafka's default, the failure detection included
 * ({@code broker.session.timeout.ms} 9 s): the leader change a test measures is the one a
 * production cluster with default settings makes.
 */
final class BrokerCluster implements AutoCloseable {

    static final int SIZE = 3;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Path directory;
    private final String clusterId = Uuid.randomUuid().toString();
    private final int[] ports = new int[SIZE];
    private final int[] controllerPorts = new int[SIZE];
    private final Process[] processes = new Process[SIZE];

    private BrokerCluster(Path directory) {
        this.directory = directory;
    }

    /**
     * Formats three log directories under {@code directory} and starts the three brokers. A broker
     * that exits while the cluster forms (a port taken meanwhile, say) makes it start again once,
     * afresh, on other ports.
     */
    static BrokerCluster start(Path directory) {
        try {
            return startOnce(directory.resolve("attempt-1"));
        } catch (IllegalStateException e) {
            System.err.println("The Kafka cluster did not form, starting it again afresh: " + e.getMessage());
            return startOnce(directory.resolve("attempt-2"));
        }
    }

    private static BrokerCluster startOnce(Path directory) {
        BrokerCluster cluster = new BrokerCluster(directory);
        try {
            for (int node = 0; node < SIZE; node++) {
                cluster.ports[node] = freePort(cluster);
                cluster.controllerPorts[node] = freePort(cluster);
            }
            for (int node = 0; node < SIZE; node++) {
                cluster.format(node);
            }
            for (int node = 0; node < SIZE; node++) {
                cluster.launch(node);
            }
            cluster.awaitBrokers(SIZE);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    String bootstrapServers() {
        StringJoiner servers = new StringJoiner(",");
        for (int port : ports) {
            servers.add("127.0.0.1:" + port);
        }
        return servers.toString();
    }

    /** The node id (1 to 3) of the broker listening on {@code port}. */
    int nodeOfPort(int port) {
        for (int node = 0; node < SIZE; node++) {
            if (ports[node] == port) {
                return node + 1;
            }
        }
        throw new IllegalArgumentException("no broker of this cluster listens on " + port);
    }

    /** Kills broker {@code nodeId} (1 to 3) with SIGKILL and waits for its process to end. */
    void kill(int nodeId) throws InterruptedException {
        Process process = processes[nodeId - 1];
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker " + nodeId + " did not end within 30 s of SIGKILL");
        }
    }

    /** Starts broker {@code nodeId} again on its log directory and ports. */
    void restart(int nodeId) {
        launch(nodeId - 1);
    }

    boolean isAlive(int nodeId) {
        return processes[nodeId - 1] != null && processes[nodeId - 1].isAlive();
    }

    Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
    }

    /** Waits until {@code count} brokers are registered and serve clients. */
    void awaitBrokers(int count) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "";
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                assertProcessesRunning();
                try {
                    int brokers = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
                    if (brokers >= count) {
                        return;
                    }
                    last = brokers + " brokers";
                } catch (Exception e) {
                    last = e.getMessage();
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka cluster", e);
        }
        throw new IllegalStateException("the Kafka cluster did not have " + count + " brokers within "
                + READY_TIMEOUT + " (" + last + "); the broker logs are in " + directory);
    }

    /** The leader of every partition of {@code topics}: {@code topic-partition -> node id} (-1: none). */
    static Map<String, Integer> leaders(Admin admin, List<String> topics) throws Exception {
        Map<String, Integer> leaders = new LinkedHashMap<>();
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                leaders.put(topic.name() + "-" + partition.partition(),
                        partition.leader() == null ? -1 : partition.leader().id());
            }
        }
        return leaders;
    }

    /** Whether every partition of {@code topics} has all three replicas in sync. */
    static boolean fullyReplicated(Admin admin, List<String> topics) throws Exception {
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                if (partition.isr().size() < SIZE || partition.leader() == null) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Kills every broker still running; the log directories stay for a failed test's reader. */
    @Override
    public void close() {
        for (Process process : processes) {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void assertProcessesRunning() {
        for (int node = 0; node < SIZE; node++) {
            Process process = processes[node];
            if (process != null && !process.isAlive() && process.exitValue() != 137) {
                throw new IllegalStateException("broker " + (node + 1) + " exited with " + process.exitValue()
                        + "; the end of its log (" + log(node) + "):\n" + tail(log(node)));
            }
        }
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 4000));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private Path nodeDirectory(int node) {
        return directory.resolve("broker-" + (node + 1));
    }

    private Path log(int node) {
        return directory.resolve("broker-" + (node + 1) + ".log");
    }

    private Map<String, String> properties(int node) {
        StringJoiner voters = new StringJoiner(",");
        for (int other = 0; other < SIZE; other++) {
            voters.add((other + 1) + "@127.0.0.1:" + controllerPorts[other]);
        }
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", Integer.toString(node + 1));
        properties.put("controller.quorum.voters", voters.toString());
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("listeners", "PLAINTEXT://127.0.0.1:" + ports[node] + ",CONTROLLER://127.0.0.1:" + controllerPorts[node]);
        properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports[node]);
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.put("log.dirs", nodeDirectory(node).toString());
        properties.put("default.replication.factor", Integer.toString(SIZE));
        properties.put("min.insync.replicas", "2");
        properties.put("offsets.topic.replication.factor", Integer.toString(SIZE));
        properties.put("offsets.topic.num.partitions", "3");
        properties.put("transaction.state.log.replication.factor", Integer.toString(SIZE));
        properties.put("transaction.state.log.min.isr", "2");
        properties.put("transaction.state.log.num.partitions", "3");
        properties.put("share.coordinator.state.topic.replication.factor", Integer.toString(SIZE));
        properties.put("share.coordinator.state.topic.min.isr", "2");
        properties.put("share.coordinator.state.topic.num.partitions", "1");
        properties.put("group.initial.rebalance.delay.ms", "0");
        properties.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        return properties;
    }

    private void format(int node) {
        try {
            Files.createDirectories(nodeDirectory(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Formatter formatter = new Formatter()
                .setClusterId(clusterId)
                .setNodeId(node + 1)
                .addDirectory(nodeDirectory(node).toString())
                .setMetadataLogDirectory(nodeDirectory(node).toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()));
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("could not format broker " + (node + 1) + ": " + e.getMessage(), e);
        }
    }

    private void launch(int node) {
        try {
            Path config = directory.resolve("broker-" + (node + 1) + ".properties");
            StringBuilder text = new StringBuilder();
            properties(node).forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
            Files.writeString(config, text, StandardCharsets.UTF_8);
            // The class path goes through an argument file: it is longer than a command line may be.
            Path arguments = directory.resolve("broker-java-arguments");
            Files.writeString(arguments, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n",
                    StandardCharsets.UTF_8);
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Djava.awt.headless=true", "@" + arguments, "kafka.Kafka", config.toString()));
            processes[node] = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log(node).toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start broker " + (node + 1) + ": " + e.getMessage(), e);
        }
    }

    /**
     * A free loopback port below the system's ephemeral range: a broker killed and started again
     * takes its ports back, and no client connection can have taken one meanwhile as its local
     * port (clients' local ports, and every {@code ServerSocket(0)}, come from that range).
     */
    private static int freePort(BrokerCluster cluster) {
        int below = ephemeralRangeStart();
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 20_000 + random.nextInt(Math.max(1, below - 20_000));
            boolean taken = false;
            for (int node = 0; node < SIZE; node++) {
                taken |= cluster.ports[node] == port || cluster.controllerPorts[node] == port;
            }
            if (taken) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException inUse) {
                // Try another.
            }
        }
        throw new IllegalStateException("no free loopback port between 20000 and " + below);
    }

    /** The first port of Linux's ephemeral range (32768 where it cannot be read). */
    private static int ephemeralRangeStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int start = Integer.parseInt(range.split("\\s+")[0]);
            return start > 21_000 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
