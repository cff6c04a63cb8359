package dev.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.embedded.EmbeddedPostgresServer;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.testing.SharedStoreExtension;
import dev.eventstore.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appends whose events carry client-chosen ids: a retry after a lost acknowledgement returns the
 * first result and writes nothing; the same ids with other content are refused; and under killed
 * connections and a PostgreSQL restart, every append a writer retries until it succeeds is stored
 * exactly once.
 */
@ExtendWith(SharedStoreExtension.class)
class IdempotentAppendIT {

    @TempDir
    Path directory;

    private static EventData event(String type, String data, UUID uuid) {
        return EventData.of(type, data).withEventUuid(uuid);
    }

    @Test
    void aRetriedSingleEventReturnsTheFirstResultWhateverTheExpectedVersion(EventStore store) {
        UUID id = UUID.randomUUID();
        EventData started = event("GameStarted", "{\"mode\":\"race\"}", id);
        AppendResult first = store.append("game-1", ExpectedVersion.NO_STREAM, started);

        assertThat(store.append("game-1", ExpectedVersion.NO_STREAM, started)).isEqualTo(first);
        assertThat(store.append("game-1", ExpectedVersion.ANY, started)).isEqualTo(first);
        assertThat(store.append("game-1", ExpectedVersion.STREAM_EXISTS, started)).isEqualTo(first);
        assertThat(store.append("game-1", ExpectedVersion.exactly(0), started)).isEqualTo(first);
        store.append("game-1", ExpectedVersion.exactly(1), event("RoundStarted", "{}", UUID.randomUUID()));
        // Also with the stream's current version: the id is found before anything is written.
        assertThat(store.append("game-1", ExpectedVersion.exactly(2), started)).isEqualTo(first);

        assertThat(store.readStreamForward("game-1", 0, 10)).hasSize(2);
        assertThat(store.readStreamForward("game-1", 0, 10).get(0).eventMetadata().eventUuid()).isEqualTo(id);
    }

    @Test
    void aRetriedBatchReturnsTheFirstResult(EventStore store) {
        List<EventData> batch = List.of(event("A", "{\"n\":1}", UUID.randomUUID()), event("B", "{\"n\":2.50}", UUID.randomUUID()),
                event("C", "[1, 2]", UUID.randomUUID()).withEventVersion(2));
        store.append("game-2", ExpectedVersion.NO_STREAM, event("Before", "{}", UUID.randomUUID()));
        AppendResult first = store.append("game-2", ExpectedVersion.ANY, batch);
        store.append("game-2", ExpectedVersion.ANY, event("After", "{}", UUID.randomUUID()));

        // jsonb compares values, not text: the same JSON written differently is the same content.
        List<EventData> sameContent = List.of(batch.get(0).withMetadataJson(batch.get(0).metadata().replace(":", ": ")),
                new EventData("B", 1, "{\"n\": 2.50}", batch.get(1).metadata()), batch.get(2));
        assertThat(store.append("game-2", ExpectedVersion.ANY, sameContent)).isEqualTo(first);
        assertThat(store.append("game-2", ExpectedVersion.exactly(1), batch)).isEqualTo(first);
        assertThat(first.firstVersion()).isEqualTo(2);
        assertThat(first.lastVersion()).isEqualTo(4);
        assertThat(store.readStreamForward("game-2", 0, 10)).hasSize(5);
    }

    @Test
    void anAppendWhoseAcknowledgementIsLostIsReturnedByItsRetryAndStoredOnce(EventStore store) throws Exception {
        ConnectionSettings settings = TestDatabase.get().settings();
        java.net.URI server = java.net.URI.create(settings.url().substring("jdbc:".length()));
        try (LostAcknowledgementProxy proxy = new LostAcknowledgementProxy(server.getPort())) {
            String url = proxy.jdbcUrl(server.getPath().substring(1));
            int round = 0;
            for (int size : new int[] {1, 3}) {
                for (String kind : List.of("no-stream", "any", "exact", "stream-exists")) {
                    round++;
                    String stream = "lost-ack-" + size;
                    long before = store.streamInfo(stream).map(StreamInfo::version).orElse(0L);
                    ExpectedVersion expected = switch (kind) {
                        case "no-stream" -> ExpectedVersion.NO_STREAM;
                        case "any" -> ExpectedVersion.ANY;
                        case "exact" -> ExpectedVersion.exactly(before);
                        default -> ExpectedVersion.STREAM_EXISTS;
                    };
                    List<EventData> batch = new ArrayList<>();
                    for (int i = 0; i < size; i++) {
                        batch.add(event("Scored", "{\"round\":" + round + ",\"i\":" + i + "}", UUID.randomUUID()));
                    }
                    try (Connection connection = java.sql.DriverManager.getConnection(url, settings.user(), settings.password())) {
                        // The look-up's answer arrives; the append's, sent after its commit, is lost.
                        proxy.dropAfterResponses(1);
                        assertThatThrownBy(() -> store.append(connection, stream, expected, batch))
                                .as(expected + ", " + size + " events").isInstanceOf(EventStoreException.class);
                    }
                    List<RecordedEvent> stored = store.readStreamForward(stream, before + 1, 100);
                    assertThat(stored).as("the append committed though its answer was lost (" + expected + ")")
                            .extracting(e -> e.eventMetadata().eventUuid())
                            .containsExactlyElementsOf(batch.stream().map(e -> e.eventMetadata().eventUuid()).toList());

                    AppendResult retried = store.append(stream, expected, batch);
                    assertThat(retried.eventIds()).as("the retry returns the stored events (" + expected + ")")
                            .containsExactlyElementsOf(stored.stream().map(RecordedEvent::eventId).toList());
                    assertThat(retried.firstVersion()).isEqualTo(before + 1);
                    assertThat(store.streamInfo(stream).orElseThrow().version()).as("nothing written twice")
                            .isEqualTo(before + size);
                }
            }
            assertThat(proxy.dropped()).isEqualTo(round);
        }
    }

    @Test
    void theSameIdsWithOtherContentOrAPartOfABatchAreRefusedAndWriteNothing(EventStore store) {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        store.append("game-3", ExpectedVersion.NO_STREAM, List.of(event("A", "{\"n\":1}", a), event("B", "{\"n\":2}", b)));

        assertThatThrownBy(() -> store.append("game-3", ExpectedVersion.ANY, event("A", "{\"n\":99}", a)))
                .isInstanceOf(DuplicateEventUuidException.class)
                .hasMessage("event 0 of the batch (event_uuid " + a + ") is already in stream 'game-3' at version 1 with"
                        + " another type, version, data or metadata: a retry must send the same events; nothing was written")
                .extracting(e -> ((DuplicateEventUuidException) e).eventUuid()).isEqualTo(a);
        assertThatThrownBy(() -> store.append("game-3", ExpectedVersion.ANY, event("A", "{\"n\":1}", a).withEventVersion(2)))
                .isInstanceOf(DuplicateEventUuidException.class);
        UUID c = UUID.randomUUID();
        assertThatThrownBy(() -> store.append("game-3", ExpectedVersion.ANY,
                List.of(event("A", "{\"n\":1}", a), event("C", "{}", c))))
                .isInstanceOf(DuplicateEventUuidException.class)
                .hasMessageContaining("but event 1 (" + c + ") is not: this batch is not a retry");
        assertThatThrownBy(() -> store.append("game-3", ExpectedVersion.ANY,
                List.of(event("B", "{\"n\":2}", b), event("A", "{\"n\":1}", a))))
                .isInstanceOf(DuplicateEventUuidException.class)
                .hasMessageContaining("but event 1 (" + a + ") is not: this batch is not a retry");
        assertThat(store.readStreamForward("game-3", 0, 10)).hasSize(2);
    }

    @Test
    void idsMissingOnSomeEventsMalformedOrRepeatedAreRefusedBeforeWriting(EventStore store) {
        UUID a = UUID.randomUUID();
        assertThatThrownBy(() -> store.append("game-4", ExpectedVersion.ANY,
                List.of(event("A", "{}", a), EventData.of("B", "{}"))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("invalid event at index 1 (B) for stream 'game-4': it has no event_uuid while event 0 of"
                        + " the batch has one: give every event of the batch one, or none");
        assertThatThrownBy(() -> store.append("game-4", ExpectedVersion.ANY,
                List.of(EventData.of("A", "{}"), event("B", "{}", a))))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("index 0");
        assertThatThrownBy(() -> store.append("game-4", ExpectedVersion.ANY, List.of(event("A", "{}", a), event("B", "{}", a))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("index 1").hasMessageContaining("is also event 0's");
        for (String bad : List.of("\"not-a-uuid\"", "\"" + a.toString().toUpperCase() + "\"", "42")) {
            assertThatThrownBy(() -> store.append("game-4", ExpectedVersion.ANY,
                    EventData.of("A", "{}").withMetadataJson("{\"event_uuid\": " + bad + "}")))
                    .as(bad).isInstanceOf(InvalidEventException.class)
                    .hasMessageContaining("event_uuid must be a UUID in lower-case canonical form");
        }
        assertThat(store.streamInfo("game-4")).isEmpty();
    }

    @Test
    void aRetryInsideTheCallersTransactionKeepsItUsable(EventStore store) throws Exception {
        EventData started = event("GameStarted", "{}", UUID.randomUUID());
        AppendResult first = store.append("game-5", ExpectedVersion.NO_STREAM, started);
        try (Connection connection = store.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            assertThat(store.append(connection, "game-5", ExpectedVersion.NO_STREAM, List.of(started))).isEqualTo(first);
            AppendResult next = store.append(connection, "game-5", ExpectedVersion.ANY,
                    List.of(event("RoundStarted", "{}", UUID.randomUUID())));
            connection.commit();
            assertThat(next.firstVersion()).isEqualTo(2);
        }
        assertThat(store.readStreamForward("game-5", 0, 10)).hasSize(2);
    }

    @Test
    void concurrentCopiesOfOneAppendWriteItOnce(EventStore store) throws Exception {
        store.append("game-6", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        List<EventData> batch = List.of(event("A", "{}", UUID.randomUUID()), event("B", "{}", UUID.randomUUID()));
        int copies = 8;
        ExecutorService pool = Executors.newFixedThreadPool(copies);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<AppendResult>> results = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return store.append("game-6", ExpectedVersion.ANY, batch);
                }));
            }
            go.countDown();
            AppendResult first = results.get(0).get(60, TimeUnit.SECONDS);
            for (Future<AppendResult> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.readStreamForward("game-6", 0, 10)).hasSize(3);
    }

    @Test
    void everyRetriedAppendIsStoredOnceUnderKilledConnections() throws Exception {
        TestDatabase database = TestDatabase.get();
        SchemaName schema = SchemaName.of("idempotent_it");
        database.dropSchema(schema.value());
        try (EventStore store = open(database.settings(), schema, "idempotent-it-writer")) {
            store.migrate();
            Scenario scenario = new Scenario(store, "killed");
            AtomicLong killed = new AtomicLong();
            Thread killer = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!scenario.done() && System.nanoTime() < deadline) {
                    try (Connection connection = database.connect(); Statement statement = connection.createStatement();
                         ResultSet rs = statement.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                 + " WHERE application_name = 'idempotent-it-writer' AND state = 'active'")) {
                        rs.next();
                        killed.addAndGet(rs.getLong(1));
                        Thread.sleep(20 + (System.nanoTime() % 40));
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "backend-killer");
            killer.start();
            scenario.run(Soak.batches(), Duration.ofSeconds(90));
            killer.join(10_000);
            scenario.assertEachBatchOnce();
            assertThat(killed.get()).as("backends terminated mid-append").isPositive();
            System.out.printf("RELIABILITY scenario=idempotent-appends-killed-connections batches=%d retries=%d"
                    + " stored_before_retry=%d killed_backends=%d duplicated=0 missing=0%n", scenario.batches,
                    scenario.retries.get(), scenario.storedBeforeRetry.get(), killed.get());
        } finally {
            database.dropSchema(schema.value());
        }
    }

    @Test
    void everyRetriedAppendIsStoredOnceAcrossAPostgresRestart() throws Exception {
        Path data = directory.resolve("pgdata");
        EmbeddedPostgresServer[] server = {EmbeddedPostgresServer.start(data, 0, Map.of())};
        try {
            int port = server[0].port();
            ConnectionSettings settings = new ConnectionSettings(server[0].jdbcUrl(), EmbeddedPostgresServer.SUPERUSER, null);
            try (EventStore store = open(settings, SchemaName.defaultSchema(), "idempotent-it-restart")) {
                store.migrate();
                Scenario scenario = new Scenario(store, "restart");
                Thread writer = new Thread(() -> scenario.run(Soak.batches(), Duration.ofSeconds(120)), "restart-writer");
                writer.start();
                scenario.awaitProgress(Soak.batches() / 4);
                long down = System.nanoTime();
                server[0].close(); // pg_ctl stop -m fast: appends in flight are cut off mid-way
                server[0] = EmbeddedPostgresServer.start(data, port, Map.of());
                long restartMs = (System.nanoTime() - down) / 1_000_000;
                writer.join(150_000);
                assertThat(writer.isAlive()).as("the writer finished").isFalse();
                scenario.assertEachBatchOnce();
                assertThat(scenario.retries.get()).as("appends were retried across the restart").isPositive();
                System.out.printf("RELIABILITY scenario=idempotent-appends-postgres-restart batches=%d retries=%d"
                        + " stored_before_retry=%d restart_ms=%d duplicated=0 missing=0%n", scenario.batches,
                        scenario.retries.get(), scenario.storedBeforeRetry.get(), restartMs);
            }
        } finally {
            server[0].close();
        }
    }

    private static EventStore open(ConnectionSettings settings, SchemaName schema, String applicationName) {
        return EventStore.open(EventStoreConfig.of(settings, schema)
                .with(EventStoreConfig.POOL_MAX_SIZE, "4")
                .with(EventStoreConfig.APPLICATION_NAME, applicationName));
    }

    /** The size of the fault scenarios: more batches with {@code -Deventstore.soak=true}. */
    private static final class Soak {
        static int batches() {
            return Boolean.getBoolean("eventstore.soak") ? 5_000 : 600;
        }
    }

    /**
     * A writer that appends numbered batches of one to three events to six streams, each event with
     * an id derived from its batch, and retries a failed append with the same batch until it
     * succeeds: three streams with {@link ExpectedVersion#ANY}, three with the exact version the
     * writer last saw acknowledged (a retry then sends the same expected version again).
     */
    private static final class Scenario {
        private final EventStore store;
        private final String name;
        private final AtomicLong written = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        /** Retries that found their batch already stored: the lost connection had cut off the answer of a commit. */
        final AtomicLong storedBeforeRetry = new AtomicLong();
        private final Map<String, Long> versions = new ConcurrentHashMap<>();
        private final Set<String> failures = ConcurrentHashMap.newKeySet();
        private volatile boolean done;
        int batches;

        Scenario(EventStore store, String name) {
            this.store = store;
            this.name = name;
        }

        boolean done() {
            return done;
        }

        void awaitProgress(long count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (written.get() < count && System.nanoTime() < deadline && !done) {
                Thread.sleep(20);
            }
        }

        static UUID uuid(String scenario, int batch, int event) {
            return UUID.nameUUIDFromBytes((scenario + "/" + batch + "/" + event).getBytes(StandardCharsets.UTF_8));
        }

        static int size(int batch) {
            return 1 + batch % 3;
        }

        void run(int count, Duration maxTime) {
            long deadline = System.nanoTime() + maxTime.toNanos();
            try {
                for (int batch = 0; batch < count && System.nanoTime() < deadline; batch++) {
                    String stream = "game-" + (batch % 6);
                    List<EventData> events = new ArrayList<>();
                    for (int i = 0; i < size(batch); i++) {
                        events.add(event("Scored", "{\"batch\":" + batch + ",\"i\":" + i + "}", uuid(name, batch, i)));
                    }
                    boolean exact = batch % 6 >= 3;
                    java.time.Instant firstFailure = null;
                    while (true) {
                        ExpectedVersion expected = exact
                                ? (versions.containsKey(stream) ? ExpectedVersion.exactly(versions.get(stream)) : ExpectedVersion.NO_STREAM)
                                : ExpectedVersion.ANY;
                        try {
                            AppendResult result = store.append(stream, expected, events);
                            versions.put(stream, result.lastVersion());
                            if (firstFailure != null && store.readStreamForward(stream, result.firstVersion(), 1).get(0)
                                    .createdAt().isBefore(firstFailure)) {
                                storedBeforeRetry.incrementAndGet();
                            }
                            break;
                        } catch (DuplicateEventUuidException | InvalidRequestException | WrongExpectedVersionException e) {
                            failures.add("batch " + batch + ": " + e.getMessage());
                            return;
                        } catch (EventStoreException lostConnection) {
                            retries.incrementAndGet();
                            if (firstFailure == null) {
                                firstFailure = java.time.Instant.now();
                            }
                            if (System.nanoTime() > deadline) {
                                failures.add("batch " + batch + " not settled in time: " + lostConnection.getMessage());
                                return;
                            }
                            sleep(50);
                        }
                    }
                    written.incrementAndGet();
                    batches = batch + 1;
                }
            } finally {
                done = true;
            }
        }

        /** Every batch written is stored exactly once, in one run of its stream, and nothing else is. */
        void assertEachBatchOnce() throws Exception {
            assertThat(failures).isEmpty();
            assertThat(batches).as("batches written").isPositive();
            long expectedEvents = 0;
            for (int batch = 0; batch < batches; batch++) {
                expectedEvents += size(batch);
            }
            try (Connection connection = store.dataSource().getConnection();
                 PreparedStatement query = connection.prepareStatement("SELECT count(*), count(DISTINCT metadata->>'event_uuid')"
                         + " FROM " + store.schema().value() + ".events")) {
                try (ResultSet rs = query.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("events stored").isEqualTo(expectedEvents);
                    assertThat(rs.getLong(2)).as("distinct ids stored").isEqualTo(expectedEvents);
                }
            }
            for (int batch = 0; batch < batches; batch++) {
                String stream = "game-" + (batch % 6);
                UUID first = uuid(name, batch, 0);
                List<RecordedEvent> events = store.readStreamForward(stream, 0, 100_000);
                int at = -1;
                for (int i = 0; i < events.size(); i++) {
                    if (first.equals(events.get(i).eventMetadata().eventUuid())) {
                        at = i;
                    }
                }
                assertThat(at).as("batch " + batch + " stored").isNotNegative();
                for (int i = 0; i < size(batch); i++) {
                    assertThat(events.get(at + i).eventMetadata().eventUuid()).as("batch " + batch + " event " + i)
                            .isEqualTo(uuid(name, batch, i));
                }
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
