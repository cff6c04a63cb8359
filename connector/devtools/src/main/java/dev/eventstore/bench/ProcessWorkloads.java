package dev.eventstore.bench;

import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.jdbc.ConnectionSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The publishers as processes of their own, as operators run them, on the benchmark's servers:
 * <ul>
 *   <li>idle: {@code eventstore run} (its own JVM, {@code -Xmx256m}) with no traffic for
 *       {@link #IDLE_SECONDS} s, measured from the process's CPU time, at the default poll interval
 *       and at Debezium's 500 ms (the latency rows show what the shorter interval buys);</li>
 *   <li>drain: the same process, warmed up by drains until its JIT compiler has settled, drains a backlog appended while it
 *       was paused (SIGSTOP), its resident memory read beside; and a Kafka Connect distributed worker in its own JVM (the heap
 *       {@code connect-distributed.sh} gives it) with the product's transform drains the same
 *       backlog, its resident memory read the same way.</li>
 * </ul>
 * Each child runs from the benchmark's own class path; resident memory is read from
 * {@code /proc} (Linux).
 */
final class ProcessWorkloads {

    static final String IDLE = "process.idle";
    static final String DRAIN = "process.drain.n";
    static final int IDLE_SECONDS = 60;
    static final String RUN_HEAP = "-Xmx256m";
    /** What connect-distributed.sh sets when KAFKA_HEAP_OPTS is unset. */
    static final List<String> CONNECT_HEAP = List.of("-Xms256M", "-Xmx2G");
    private static final String CPU_PREFIX = "process CPU ";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final BenchContext context;
    private final Admin admin;
    private final Path directory;
    /** {@link #IDLE_SECONDS}, or 2 s for {@code --quick}. */
    private final int idleSeconds;

    ProcessWorkloads(BenchContext context) {
        this.context = context;
        Map<String, Object> client = new HashMap<>();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, context.servers.bootstrapServers());
        client.put(AdminClientConfig.CLIENT_ID_CONFIG, "eventstore-bench-process-admin");
        this.admin = Admin.create(client);
        this.idleSeconds = context.settings.profile() == BenchSettings.Profile.QUICK ? 2 : IDLE_SECONDS;
        try {
            this.directory = Files.createTempDirectory("eventstore-bench-process");
            this.directory.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary directory: " + e.getMessage(), e);
        }
    }

    static int caseCount(BenchSettings settings) {
        return 2 + Math.min(1, settings.drainEvents().size()) * 2;
    }

    /** The CPU share (% of a core) an idle row measured, from its note. */
    static Optional<Double> cpuPercent(ResultRow row) {
        if (!row.ran() || !row.note().startsWith(CPU_PREFIX)) {
            return Optional.empty();
        }
        String number = row.note().substring(CPU_PREFIX.length()).split(" ")[0];
        return Optional.of(Double.parseDouble(number));
    }

    /** Seconds an idle row measures: {@link #IDLE_SECONDS}, or 2 for {@code --quick}. */
    int idleSeconds() {
        return idleSeconds;
    }

    /** Closes the admin client: after {@link #idle} alone, where {@link #run} is not called. */
    void close() {
        admin.close(Duration.ofSeconds(5));
    }

    List<ResultRow> run() {
        List<ResultRow> rows = new ArrayList<>();
        try {
            String idle = String.format(Locale.ROOT, "idle: %d s with no traffic, publisher in its own process", idleSeconds);
            rows.add(idle(new BenchContext.Subject(IDLE, idle, "eventstore-run", "eventstore run, " + RUN_HEAP
                    + " (defaults: poll 1 ms)", ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT), "idle10", Map.of()));
            rows.add(idle(new BenchContext.Subject(IDLE, idle, "eventstore-run-poll500", "eventstore run, " + RUN_HEAP
                    + ", poll 500 ms (Debezium's default)", ResultRow.Role.REFERENCE, ResultRow.Basis.THROUGHPUT), "idle500",
                    Map.of("EVENTSTORE_POLL_INTERVAL_MS", "500")));
            if (!context.settings.drainEvents().isEmpty()) {
                int events = context.settings.drainEvents().get(0);
                String id = DRAIN + events;
                String workload = String.format(Locale.ROOT, "backlog drain of %,d events, publisher in its own process", events);
                rows.add(drainRun(new BenchContext.Subject(id, workload, "eventstore-run", "eventstore run, " + RUN_HEAP,
                        ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT), events));
                rows.add(drainConnect(new BenchContext.Subject(id, workload, "connect-ours-process",
                        "Kafka Connect worker, eventstore transform, " + String.join(" ", CONNECT_HEAP),
                        ResultRow.Role.PEER, ResultRow.Basis.THROUGHPUT), events));
            }
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
        return rows;
    }

    // ------------------------------------------------------------------ eventstore run

    /** {@code eventstore run} as its own process: the bench's class path, the main class, {@link #RUN_HEAP}. */
    private Child startRun(String name, Map<String, String> environment) throws IOException {
        ConnectionSettings db = context.servers.store();
        Properties config = new Properties();
        config.setProperty(BridgeConfig.Key.NAME, "bench-" + name);
        config.setProperty(BridgeConfig.Key.DB_URL, db.url());
        if (db.user() != null) {
            config.setProperty(BridgeConfig.Key.DB_USER, db.user());
        }
        config.setProperty(BridgeConfig.Key.SCHEMA, BenchContext.STORE_SCHEMA.value());
        config.setProperty(BridgeConfig.Key.SLOT_NAME, slotOf(name));
        config.setProperty(BridgeConfig.Key.SNAPSHOT_MODE, "no_data");
        config.setProperty(BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, context.servers.bootstrapServers());
        config.setProperty("topic.prefix", "bench." + name);
        config.setProperty(BridgeConfig.Key.TOPIC_PARTITIONS, Integer.toString(PipelineWorkloads.PARTITIONS));
        config.setProperty(BridgeConfig.Key.HTTP_PORT, "-1");
        Path file = directory.resolve(name + ".properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            config.store(out, "eventstore run for the benchmark");
        }
        Map<String, String> env = new HashMap<>(environment);
        if (db.password() != null) {
            env.put("EVENTSTORE_DB_PASSWORD", db.password());
        }
        List<String> command = new ArrayList<>(List.of(java(), RUN_HEAP, "-cp", System.getProperty("java.class.path"),
                "dev.eventstore.cli.EventStoreCommand", "run", "--config", file.toString()));
        return Child.start(command, env, directory.resolve(name + ".log"));
    }

    private static String slotOf(String name) {
        return "bench_store_" + name;
    }

    /**
     * {@code eventstore run} idle for {@link #IDLE_SECONDS} s ({@code environment}: its settings
     * over the defaults, as {@code EVENTSTORE_*} variables), its CPU time read from {@code /proc}.
     */
    ResultRow idle(BenchContext.Subject subject, String name, Map<String, String> environment) {
        context.progress.startCase(subject.workload() + " · " + subject.subject(), Duration.ofSeconds(idleSeconds + 20));
        String topic = "bench." + name + ".game";
        try (Child run = startRun(name, environment)) {
            awaitSlotActive(run, slotOf(name));
            probe(run, topic, "game-" + name + "-probe", 1);
            // A few seconds for the start's own work (JIT, first offset flush) to finish.
            Thread.sleep(5_000);
            context.progress.detail(String.format(Locale.ROOT, "measuring %d s with no traffic", idleSeconds));
            long cpu0 = run.cpuNanos();
            long t0 = System.nanoTime();
            Thread.sleep(idleSeconds * 1000L);
            long cpu1 = run.cpuNanos();
            long t1 = System.nanoTime();
            run.checkAlive();
            double percent = 100.0 * (cpu1 - cpu0) / (t1 - t0);
            return subject.measured(0, null, String.format(Locale.ROOT, "%s%.2f %% of a core (%.2f s of CPU in %.0f s); RSS %s",
                    CPU_PREFIX, percent, (cpu1 - cpu0) / 1e9, (t1 - t0) / 1e9, run.rss()));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return subject.failed(LoadRunner.describe(e));
        } finally {
            dropSlot(slotOf(name));
        }
    }

    private ResultRow drainRun(BenchContext.Subject subject, int events) {
        String name = "procdrain" + events;
        String topic = "bench." + name + ".game";
        context.progress.startCase(subject.workload() + " · " + subject.subject(), Duration.ofSeconds(30 + events / 5_000));
        try (Child run = startRun(name, Map.of())) {
            awaitSlotActive(run, slotOf(name));
            probe(run, topic, "game-" + name + "-probe", 1);
            // Paused rather than restarted, as the Connect worker's connector is stopped: both drain
            // warm, with what the warm-up compiled.
            JitWarmUp.Result warm = JitWarmUp.until(run, warmUpEvents(events), context.settings, (round, n) -> {
                long before = appendWhilePaused(run, topic, name + "x" + round, n, false);
                awaitRecords(run, topic, before + n, PipelineDrain.drainTimeout(n));
            }, context.progress);
            context.progress.detail(String.format(Locale.ROOT, "appending the backlog of %,d events", events));
            long base = appendWhilePaused(run, topic, name, events, true);
            context.progress.detail("draining");
            TimedDrain drain = timeDrain(run, "the process", topic, base, events, System.nanoTime());
            return subject.measured(events / drain.seconds(), null, String.format(Locale.ROOT,
                    "process paused (SIGSTOP) while the backlog was appended, after %s: first record"
                            + " %.1f s after it resumed; %,d events in %.1f s; RSS %s; %s",
                    warm, drain.firstAfter(), events, drain.seconds(), run.rss(), drain.cpu()));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return subject.failed(LoadRunner.describe(e));
        } finally {
            dropSlot(slotOf(name));
        }
    }

    // ------------------------------------------------------------------ Kafka Connect worker

    private ResultRow drainConnect(BenchContext.Subject subject, int events) {
        String name = "procconnect" + events;
        String topic = ConnectPeers.topic(ConnectPeers.Deployment.EVENTSTORE, name);
        String connector = "bench-" + name;
        context.progress.startCase(subject.workload() + " · " + subject.subject(), Duration.ofSeconds(40 + events / 5_000));
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Properties worker = new Properties();
            worker.putAll(ConnectPeers.workerProperties("bench-connect-process"));
            worker.setProperty("bootstrap.servers", context.servers.bootstrapServers());
            worker.setProperty("config.storage.replication.factor", "1");
            worker.setProperty("offset.storage.replication.factor", "1");
            worker.setProperty("status.storage.replication.factor", "1");
            worker.setProperty("offset.storage.partitions", "1");
            worker.setProperty("status.storage.partitions", "1");
            worker.setProperty("key.converter", "org.apache.kafka.connect.json.JsonConverter");
            worker.setProperty("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            worker.setProperty("listeners", "http://127.0.0.1:" + port);
            worker.setProperty("rest.advertised.host.name", "127.0.0.1");
            worker.setProperty("plugin.discovery", "service_load");
            worker.setProperty("scheduled.rebalance.max.delay.ms", "0");
            Path file = directory.resolve(name + "-worker.properties");
            try (OutputStream out = Files.newOutputStream(file)) {
                worker.store(out, "Kafka Connect worker for the benchmark");
            }
            List<String> command = new ArrayList<>();
            command.add(java());
            command.addAll(CONNECT_HEAP);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                    "org.apache.kafka.connect.cli.ConnectDistributed", file.toString()));
            try (Child process = Child.start(command, Map.of(), directory.resolve(name + "-worker.log"))) {
                ConnectPeers peers = ConnectPeers.at(URI.create("http://127.0.0.1:" + port), () -> { });
                peers.awaitUp(START_TIMEOUT, process::checkAlive);
                createTopic(topic);
                peers.create(connector, ConnectPeers.config(ConnectPeers.Deployment.EVENTSTORE, name,
                        context.servers.store(), BenchContext.STORE_SCHEMA.value(), slotOf(name)));
                probe(process, topic, "game-" + name + "-probe", 1);
                JitWarmUp.Result warm = JitWarmUp.until(process, warmUpEvents(events), context.settings, (round, n) -> {
                            peers.stop(connector);
                            context.appendBacklog(name + "x" + round, n);
                            long before = ConnectPeers.records(admin, topic);
                            peers.resume(connector);
                            awaitRecords(process, topic, before + n, PipelineDrain.drainTimeout(n));
                        }, context.progress);
                peers.stop(connector);
                context.progress.detail(String.format(Locale.ROOT, "appending the backlog of %,d events", events));
                context.appendBacklog(name, events);
                context.settle();
                context.progress.detail("draining");
                long base = ConnectPeers.records(admin, topic);
                long started = System.nanoTime();
                peers.resume(connector);
                TimedDrain drain = timeDrain(process, "the worker", topic, base, events, started);
                String rss = process.rss();
                peers.delete(connector);
                return subject.measured(events / drain.seconds(), null, String.format(Locale.ROOT,
                        "connector resumed after %s: first record %.1f s after; %,d events in %.1f s; RSS %s; %s",
                        warm, drain.firstAfter(), events, drain.seconds(), rss, drain.cpu()));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return subject.failed(LoadRunner.describe(e));
        } finally {
            dropSlot(slotOf(name));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A child's drain: seconds to its first record after {@code started}, seconds from it to the last, the CPU note. */
    private record TimedDrain(double firstAfter, double seconds, String cpu) {
    }

    /**
     * Times {@code child}'s drain of {@code events} into {@code topic} (holding {@code base}
     * records before it), from its first record to its last, with the CPU split over that span.
     */
    private TimedDrain timeDrain(Child child, String childName, String topic, long base, int events, long started)
            throws Exception {
        Duration timeout = PipelineDrain.drainTimeout(events);
        long first = awaitRecords(child, topic, base + 1, timeout);
        CpuUsage.Sample cpuFrom = CpuUsage.sample();
        long childFrom = child.cpuNanos();
        Map<Long, Long> compilerFrom = child.compilerThreads();
        long done = awaitRecords(child, topic, base + events, timeout);
        CpuUsage.Sample cpuTo = CpuUsage.sample();
        long childTo = child.cpuNanos();
        Map<Long, Long> compilerTo = child.compilerThreads();
        String compiler = "; " + JitWarmUp.duringDrain(childName, compilerFrom, compilerTo, childFrom, childTo);
        return new TimedDrain((first - started) / 1e9, (done - first) / 1e9,
                CpuUsage.describe(cpuFrom, cpuTo, events, childName, childTo - childFrom) + compiler);
    }

    /**
     * Appends {@code events} to streams named after {@code streams} while {@code run} is paused
     * (SIGSTOP), then resumes it; returns the records {@code topic} held before it resumed.
     * {@code settle}: vacuum and checkpoint first, as before a measured drain.
     */
    private long appendWhilePaused(Child run, String topic, String streams, int events, boolean settle) throws Exception {
        run.signal("STOP");
        long records;
        try {
            context.appendBacklog(streams, events);
            if (settle) {
                context.settle();
            }
            records = ConnectPeers.records(admin, topic);
        } catch (Exception e) {
            try {
                run.signal("CONT");
            } catch (Exception alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        run.signal("CONT");
        return records;
    }

    /** Events per warm-up drain: as many as the measured drain, at most 50,000 (the JIT needs time, not more events). */
    static int warmUpEvents(int events) {
        return Math.max(1, Math.min(events, 50_000));
    }

    private void createTopic(String topic) throws Exception {
        try {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic,
                    Optional.of(PipelineWorkloads.PARTITIONS), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw e;
            }
        }
    }

    /** Waits until the child streams from {@code slot}: an event committed before the slot exists is never published. */
    private void awaitSlotActive(Child child, String slot) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (java.sql.Connection connection = context.storePool.getConnection();
             java.sql.PreparedStatement active = connection.prepareStatement(BenchSql.SLOT_ACTIVE)) {
            active.setString(1, slot);
            while (true) {
                try (java.sql.ResultSet rs = active.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                child.checkAlive();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("slot " + slot + " not active after " + START_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(100); // polling the server's slots, bounded by the deadline
            }
        }
    }

    /** Appends one event and waits until {@code topic} holds {@code count} records. */
    private void probe(Child child, String topic, String stream, long count) throws Exception {
        context.store.append(stream, ExpectedVersion.ANY, List.of(context.events.get(0)));
        awaitRecords(child, topic, count, START_TIMEOUT);
    }

    /** Returns the time {@code topic} held {@code count} records (its end offsets), polled every 10 ms. */
    private long awaitRecords(Child child, String topic, long count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long now = System.nanoTime();
            long records;
            try {
                records = ConnectPeers.records(admin, topic);
            } catch (java.util.concurrent.ExecutionException notYet) {
                records = 0; // the topic is created at the publisher's first record
            }
            if (records >= count) {
                return now;
            }
            child.checkAlive();
            if (now > deadline) {
                throw new IllegalStateException(topic + " holds " + records + " of " + count + " records after "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(10); // polling the topic's end offsets, bounded by the deadline
        }
    }

    private void dropSlot(String slot) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (java.sql.Connection connection = context.storePool.getConnection()) {
            while (System.nanoTime() < deadline) {
                try (java.sql.PreparedStatement exists = connection.prepareStatement(BenchSql.SLOT_ACTIVE)) {
                    exists.setString(1, slot);
                    try (java.sql.ResultSet rs = exists.executeQuery()) {
                        if (!rs.next()) {
                            return;
                        }
                    }
                }
                try (java.sql.PreparedStatement drop = connection.prepareStatement(BenchSql.DROP_SLOT)) {
                    drop.setString(1, slot);
                    drop.executeQuery().close();
                }
                Thread.sleep(100); // the walsender may take a moment to release it
            }
        } catch (java.sql.SQLException e) {
            // a slot left behind is dropped by the next run's clean-up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A child JVM; closing it sends SIGTERM and waits (then kills it after 60 s). */
    static final class Child implements AutoCloseable, JitWarmUp.Jvm {

        private final Process process;
        private final Path log;

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Child start(List<String> command, Map<String, String> environment, Path log) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(key -> key.startsWith("EVENTSTORE_"));
            builder.environment().putAll(environment);
            return new Child(builder.start(), log);
        }

        @Override
        public long cpuNanos() {
            return process.info().totalCpuDuration().map(Duration::toNanos)
                    .orElseThrow(() -> new IllegalStateException("the process's CPU time is not available here"));
        }

        /** CPU time of the process's JIT compiler threads by thread id, from /proc (Linux), or null. */
        @Override
        public Map<Long, Long> compilerThreads() {
            return CpuUsage.compilerThreads(process.pid());
        }

        /** Resident memory now and at its peak, from /proc (Linux), e.g. "212 MiB (peak 260 MiB)". */
        String rss() {
            try {
                long rss = -1;
                long peak = -1;
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    } else if (line.startsWith("VmHWM:")) {
                        peak = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
                return rss < 0 ? "n/a" : String.format(Locale.ROOT, "%d MiB (peak %d MiB)", rss / 1024, peak / 1024);
            } catch (IOException | RuntimeException e) {
                return "n/a";
            }
        }

        /** Sends {@code signal} (e.g. STOP, CONT) with kill(1): Linux, as the rest of these rows. */
        void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        }

        void checkAlive() {
            if (!process.isAlive()) {
                String last = "";
                try {
                    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                    last = lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1);
                } catch (IOException ignored) {
                    // the exit code says enough
                }
                throw new IllegalStateException("the process exited with " + process.exitValue() + last);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
