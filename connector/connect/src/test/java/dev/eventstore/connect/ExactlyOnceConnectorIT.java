package dev.eventstore.connect;

import static dev.eventstore.connect.ConnectDeployment.TIMEOUT;
import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.RecordedEvent;
import dev.eventstore.embedded.EmbeddedConnectWorker;
import dev.eventstore.testing.EventRecordContract;
import dev.eventstore.testing.TestKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Exactly once on Kafka Connect: the example worker.properties as it is
 * ({@code exactly.once.source.support=enabled}) and {@code eventstore-source-exactly-once.json}
 * ({@code exactly.once.support=required}, {@code transaction.boundary=poll}). The worker is stopped
 * and a new one started in its place while events are being appended; a {@code read_committed}
 * consumer sees every event exactly once, each stream's versions in order.
 */
class ExactlyOnceConnectorIT {

    private static final int STREAMS = 16;
    /** Events appended at least before the stop, while the worker is down, and after the restart. */
    private static final int PER_PHASE = 150;
    /** Bounds the appender whatever happens to the test. */
    private static final int MAX_EVENTS = 50_000;
    /** Appender pacing, so the run spans the restart with a few thousand events rather than a flood. */
    private static final long PAUSE_NANOS = Duration.ofMillis(2).toNanos();

    private final String id = ConnectDeployment.uniqueId();
    private final String group = "connect-eos-it-" + id;
    private final String name = "eventstore-source-" + id;
    private final String slot = "connect_eos_it_" + id;
    private final String topicPrefix = "eos." + id;
    private final ConnectDeployment.Database db = ConnectDeployment.database();
    private EmbeddedConnectWorker worker;
    private Thread appenderThread;
    private volatile boolean appending = true;

    @AfterEach
    void cleanUp() throws InterruptedException {
        appending = false;
        if (appenderThread != null) {
            appenderThread.join(TIMEOUT.toMillis());
        }
        if (worker != null) {
            ConnectDeployment.send(worker, "DELETE", "/connectors/" + name, null);
            worker.close();
        }
        ConnectDeployment.dropSlot(slot);
    }

    @Test
    void workerRestartedWhileAppendsContinueYieldsEveryEventOnceInStreamOrder() throws Exception {
        db.schema().reset();
        worker = ConnectDeployment.startWorker(group, Map.of());
        assertThat(worker.workerProperties()).containsEntry("exactly.once.source.support", "enabled");
        Map<String, String> config = ConnectDeployment.connectorConfig(ConnectDeployment.EXACTLY_ONCE_JSON, name, slot,
                topicPrefix);
        assertThat(config).containsEntry("exactly.once.support", "required");
        ConnectDeployment.createConnector(worker, config);

        AtomicLong appended = new AtomicLong();
        AtomicReference<Throwable> appendFailure = new AtomicReference<>();
        appenderThread = new Thread(() -> append(appended, appendFailure), "eos-it-appender");
        appenderThread.start();

        String topics = Pattern.quote(topicPrefix) + "\\..*";
        TestKafka.readUntil(topics, r -> appenderAlive(appendFailure) && r.size() >= PER_PHASE, TIMEOUT);
        assertThat(transactionalIds()).as("the task writes in transactions").anyMatch(t -> t.contains(name));

        worker.close();
        long atStop = appended.get();
        await().atMost(TIMEOUT).until(() -> appended.get() >= atStop + PER_PHASE || appendFailure.get() != null);

        // A new worker of the same cluster (group.id, config, offset and status topics) takes over.
        worker = ConnectDeployment.startWorker(group, Map.of());
        ConnectDeployment.awaitRunning(worker, name);
        long atRestart = appended.get();
        TestKafka.readUntil(topics, r -> appenderAlive(appendFailure) && r.size() >= atRestart, TIMEOUT);
        await().atMost(TIMEOUT).until(() -> appended.get() >= atRestart + PER_PHASE || appendFailure.get() != null);

        appending = false;
        await().atMost(TIMEOUT).until(() -> !appenderThread.isAlive());
        assertThat(appendFailure.get()).as("appender failure").isNull();
        long total = appended.get();
        assertThat(total).isLessThan(MAX_EVENTS);

        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(topics, (int) total, TIMEOUT);
        Map<String, Long> copies = records.stream().collect(Collectors.groupingBy(
                r -> r.key() + "@" + header(r, "ce_streamversion"), Collectors.counting()));
        assertThat(copies.entrySet()).as("events seen more than once").filteredOn(e -> e.getValue() > 1).isEmpty();
        assertThat(records).as("every event, once").hasSize((int) total);

        Map<String, List<Long>> byStream = EventSourceConnectorIT.versionsByStream(records);
        assertThat(byStream).hasSize(STREAMS);
        Map<String, List<RecordedEvent>> stored = new HashMap<>();
        byStream.forEach((stream, versions) -> {
            List<RecordedEvent> events = db.store().readStreamForward(stream, 1, 10_000);
            stored.put(stream, events);
            assertThat(versions).as(stream + " in order")
                    .isEqualTo(LongStream.rangeClosed(1, events.size()).boxed().toList());
        });
        for (ConsumerRecord<String, byte[]> record : records) {
            RecordedEvent event = stored.get(record.key()).get(Integer.parseInt(header(record, "ce_streamversion")) - 1);
            EventRecordContract.assertRecord(record, event, topicPrefix, "/eventstore");
        }
    }

    /** Fails the test at once when the appender has failed, rather than waiting for records that never come. */
    private static boolean appenderAlive(AtomicReference<Throwable> failure) {
        if (failure.get() != null) {
            throw new AssertionError("the appender failed: " + failure.get(), failure.get());
        }
        return true;
    }

    /** Appends round-robin over the streams, one event per transaction, until told to stop. */
    private void append(AtomicLong appended, AtomicReference<Throwable> failure) {
        try {
            for (int i = 0; appending && i < MAX_EVENTS; i++) {
                String stream = (i % 2 == 0 ? "game-" : "player-") + (i % STREAMS);
                long version = i / STREAMS + 1;
                db.store().append(stream, ExpectedVersion.exactly(version - 1),
                        EventData.of("Tick", "{\"i\":" + i + "}"));
                appended.incrementAndGet();
                LockSupport.parkNanos(PAUSE_NANOS);
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    private static List<String> transactionalIds() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            return admin.listTransactions().all().get().stream().map(TransactionListing::transactionalId).toList();
        }
    }
}
