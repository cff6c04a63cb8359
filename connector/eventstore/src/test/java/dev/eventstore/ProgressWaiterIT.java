package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.testing.SharedStoreExtension;
import dev.eventstore.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The library's side of reading your own writes, attacked without Kafka: the test writes
 * {@code published_streams} as the bridge does (a row that moves, then a notification). A wait
 * returns only on its own stream's row, never because of a notification; it never outlasts its
 * timeout, whether PostgreSQL stops answering, the listener's session is killed or its thread
 * fails, the store is closed, the caller is interrupted or the pool has a single connection;
 * foreign notifications cost no query and starve no check, forged ones a bounded number; a zero
 * timeout checks once; bad input is refused in one line. The disabled test shows what a writer
 * login can do to another login's group.
 */
@ExtendWith(SharedStoreExtension.class)
class ProgressWaiterIT {

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Moves the stream's published row to {@code version} and notifies, as the bridge's write does. */
    private static void publish(EventStore store, String streamId, long version) throws Exception {
        try (Connection connection = TestDatabase.get().connect();
             PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + store.schema().value()
                     + ".published_streams (stream_id, last_published_event_id, last_published_stream_version, topic,"
                     + " kafka_partition, kafka_offset) VALUES (?, 1, ?, 'eventstore.game', 0, ?)"
                     + " ON CONFLICT (stream_id) DO UPDATE SET last_published_stream_version = excluded.last_published_stream_version,"
                     + " kafka_offset = excluded.kafka_offset");
             Statement notify = connection.createStatement()) {
            upsert.setString(1, streamId);
            upsert.setLong(2, version);
            upsert.setLong(3, version);
            upsert.execute();
            notify.execute("NOTIFY eventstore_progress, '" + store.schema().value() + ":published'");
        }
    }

    /** Sends {@code payload} {@code times} times, each in a transaction of its own (the server folds repeats within one). */
    private static void notifyRaw(String payload, int times) throws Exception {
        try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < times; i++) {
                batch.append("BEGIN; NOTIFY eventstore_progress, '").append(payload).append("'; COMMIT;");
                if (batch.length() > 50_000 || i == times - 1) {
                    statement.execute(batch.toString());
                    batch.setLength(0);
                }
            }
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + timeout).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Test
    void onlyTheStreamsOwnRowEndsAWaitNeverANotification(EventStore store) throws Exception {
        AppendResult game1 = createTestStream("game-1", 2);
        createTestStream("game-10", 5);
        // Another stream sharing its prefix is far ahead; forged notifications, this schema's and
        // another's, arrive in numbers: none of it is game-1 at version 2.
        publish(store, "game-10", 5);
        publish(store, "game-1", 1);
        Future<?> waiting = pool.submit(() -> {
            store.awaitPublished(game1, Duration.ofSeconds(15));
            return null;
        });
        notifyRaw(store.schema().value() + ":published", 50);
        notifyRaw(store.schema().value() + ":consumed:scoreboard", 50);
        notifyRaw("other_schema:published", 50);
        Thread.sleep(1_500); // the listener has heard everything and read the rows again (once a second at least)
        assertThat(waiting.isDone()).as("a wait that returned early").isFalse();

        long start = System.nanoTime();
        publish(store, "game-1", 2);
        waiting.get(30, TimeUnit.SECONDS);
        // The notification ends the wait, not the once-a-second check.
        assertThat(millisSince(start)).isLessThan(5_000); // no once-a-second fallback starved by the forgeries
    }

    @Test
    void anotherSchemasNotificationsCostNoQueryAndAFloodOfForgedOnesABoundedNumber(EventStore store) throws Exception {
        AppendResult appended = createTestStream("game-1", 1);
        Future<?> waiting = pool.submit(() -> {
            store.awaitPublished(appended, Duration.ofSeconds(15));
            return null;
        });
        Thread.sleep(300); // the first query and the listener's query after LISTEN
        long before = store.awaitQueries();
        notifyRaw("other_schema:published", 5_000);
        long foreign = store.awaitQueries() - before;
        // At most the once-a-second checks while the notifications are sent.
        assertThat(foreign).isLessThanOrEqualTo(3);

        long start = System.nanoTime();
        long beforeForged = store.awaitQueries();
        notifyRaw(store.schema().value() + ":published", 5_000);
        Thread.sleep(200);
        long forged = store.awaitQueries() - beforeForged;
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + 1);
        System.out.printf("ProgressWaiterIT: 5000 forged notifications in %d ms cost %d queries%n", millisSince(start), forged);
        // A flood from any login costs the listener at most a query per 10 ms or so, not one per notification.
        assertThat(forged).isLessThanOrEqualTo(100 * seconds + 2);
        assertThat(waiting.isDone()).isFalse();
        publish(store, "game-1", 1);
        waiting.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aWaitSurvivesItsListenerBeingTerminated() throws Exception {
        String application = "eventstore-terminated-" + ProcessHandle.current().pid();
        try (EventStore own = EventStore.open(EventStoreConfig.of(TestDatabase.get().settings(),
                SharedStoreExtension.eventStore().schema()).with(EventStoreConfig.APPLICATION_NAME, application))) {
            AppendResult appended = createTestStream("game-1", 1);
            Future<?> waiting = pool.submit(() -> {
                own.awaitPublished(appended, Duration.ofSeconds(15));
                return null;
            });
            String listening = "SELECT pid FROM pg_stat_activity WHERE application_name = '" + application + "'"
                    + " AND query LIKE '%LISTEN eventstore_progress%' OR query LIKE '%published_streams%' AND application_name = '"
                    + application + "'";
            try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
                await(() -> {
                    try (ResultSet rs = statement.executeQuery(listening)) {
                        return rs.next();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, Duration.ofSeconds(30));
                // Every session of the store, the listener's among them.
                statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                        + application + "'");
            }
            Thread.sleep(200);
            publish(own, "game-1", 1);
            waiting.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFloodOfNotificationsDoesNotKeepAWaitFromItsRow(EventStore store) throws Exception {
        AppendResult appended = createTestStream("game-1", 1);
        Future<?> waiting = pool.submit(() -> {
            store.awaitPublished(appended, Duration.ofSeconds(15));
            return null;
        });
        java.util.concurrent.atomic.AtomicBoolean flooding = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        List<Future<?>> flooders = new java.util.ArrayList<>();
        for (int f = 0; f < 2; f++) {
            flooders.add(pool.submit(() -> {
                try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
                    String hundred = ("BEGIN; NOTIFY eventstore_progress, 'other_schema:published'; COMMIT;").repeat(100);
                    while (flooding.get() && System.nanoTime() < deadline) {
                        statement.execute(hundred);
                        sent.addAndGet(100);
                    }
                }
                return null;
            }));
        }
        try {
            Thread.sleep(500);
            long start = System.nanoTime();
            long queriesBefore = store.awaitQueries();
            publish(store, "game-1", 1);
            waiting.get(30, TimeUnit.SECONDS);
            long took = millisSince(start);
            System.out.printf("ProgressWaiterIT: under a flood (%d notifications so far) the wait ended %d ms after its row"
                    + " moved, after %d queries%n", sent.get(), took, store.awaitQueries() - queriesBefore);
            assertThat(took).isLessThan(8_000);
        } finally {
            flooding.set(false);
            for (Future<?> flooder : flooders) {
                flooder.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aListenerThatFailsUnexpectedlyIsReplaced() throws Exception {
        // The listener's first two connections fail with an unchecked exception, as a data source
        // wrapper of the application's may throw.
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger(2);
        javax.sql.DataSource real = TestDatabase.get().dataSource();
        javax.sql.DataSource failing = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && Thread.currentThread().getName().equals("eventstore-progress-listener")
                            && failures.getAndDecrement() > 0) {
                        throw new IllegalStateException("the application's data source refused a connection");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (EventStore own = EventStore.builder(failing).schema(SharedStoreExtension.eventStore().schema()).build()) {
            AppendResult appended = createTestStream("game-1", 2);
            Future<?> first = pool.submit(() -> {
                own.awaitPublished(appended, Duration.ofSeconds(15));
                return null;
            });
            Thread.sleep(300);
            publish(own, "game-1", 2);
            first.get(30, TimeUnit.SECONDS);
            assertThat(failures.get()).as("both failures happened").isLessThanOrEqualTo(0);
        }
    }

    @Test
    void aRowMovedWithoutNotificationEndsAWaitWithinASecondAlsoUnderAnotherStoresTraffic(EventStore store) throws Exception {
        AppendResult appended = createTestStream("game-1", 1);
        Future<?> waiting = pool.submit(() -> {
            store.awaitPublished(appended, Duration.ofSeconds(15));
            return null;
        });
        java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        // Another store's bridge in the same database notifies every 20 ms.
        Future<?> otherStore = pool.submit(() -> {
            try (Connection connection = TestDatabase.get().connect(); Statement statement = connection.createStatement()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (busy.get() && System.nanoTime() < deadline) {
                    statement.execute("NOTIFY eventstore_progress, 'other_schema:published'");
                    Thread.sleep(20);
                }
            }
            return null;
        });
        try {
            Thread.sleep(500);
            // A writer that sends no notification (an update by hand, say).
            long start = System.nanoTime();
            TestDatabase.get().execute("INSERT INTO " + store.schema().value() + ".published_streams (stream_id,"
                    + " last_published_event_id, last_published_stream_version, topic, kafka_partition, kafka_offset)"
                    + " VALUES ('game-1', " + appended.eventIds().get(0) + ", 1, 'eventstore.game', 0, 0)");
            waiting.get(30, TimeUnit.SECONDS);
            assertThat(millisSince(start)).isLessThan(8_000);
        } finally {
            busy.set(false);
            otherStore.get(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void closingTheStoreEndsItsWaitsAndItsListener() throws Exception {
        EventStore own = EventStore.open(EventStoreConfig.of(TestDatabase.get().settings(), SharedStoreExtension.eventStore().schema()));
        AppendResult appended = createTestStream("game-1", 1);
        Future<?> waiting = pool.submit(() -> {
            own.awaitPublished(appended, Duration.ofSeconds(60));
            return null;
        });
        java.util.Set<Thread> before = listenerThreads();
        await(() -> listenerThreads().size() > before.size(), Duration.ofSeconds(30));
        java.util.Set<Thread> ours = listenerThreads();
        ours.removeAll(before);
        long start = System.nanoTime();
        own.close();
        assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(EventStoreException.class)
                .hasRootCauseMessage("the event store was closed");
        assertThat(millisSince(start)).isLessThan(8_000);
        await(() -> ours.stream().noneMatch(Thread::isAlive), Duration.ofSeconds(30));
        assertThatThrownBy(() -> own.awaitPublished(appended, Duration.ofSeconds(1)))
                .hasMessage("the event store is closed");
    }

    private static java.util.Set<Thread> listenerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("eventstore-progress-") && t.isAlive())
                .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
    }

    @Test
    void anInterruptedCallerStopsWaitingAtOnce(EventStore store) throws Exception {
        AppendResult appended = createTestStream("game-1", 1);
        Thread[] caller = new Thread[1];
        Future<Throwable> waiting = pool.submit(() -> {
            caller[0] = Thread.currentThread();
            try {
                store.awaitPublished(appended, Duration.ofSeconds(60));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(300);
        long start = System.nanoTime();
        caller[0].interrupt();
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(millisSince(start)).isLessThan(5_000);
    }

    @Test
    void anUnboundedTimeoutIsAWaitWithoutEnd(EventStore store) throws Exception {
        AppendResult appended = createTestStream("game-1", 1);
        Future<?> waiting = pool.submit(() -> {
            store.awaitPublished(appended, Duration.ofSeconds(Long.MAX_VALUE));
            return null;
        });
        Thread.sleep(300);
        assertThat(waiting.isDone()).as("a wait that failed or returned at once").isFalse();
        publish(store, "game-1", 1);
        waiting.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aZeroTimeoutChecksOnce(EventStore store) throws Exception {
        AppendResult published = createTestStream("game-1", 1);
        AppendResult unpublished = createTestStream("game-2", 1);
        publish(store, "game-1", 1);
        for (int i = 0; i < 20; i++) {
            store.awaitPublished(published, Duration.ZERO);
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.awaitPublished(unpublished, Duration.ZERO))
                    .isInstanceOf(AwaitTimeoutException.class)
                    .hasMessageContaining("is not in Kafka after 0 s");
            assertThat(millisSince(start)).isLessThan(5_000);
        }
    }

    @Test
    void badInputIsRefusedInOneLine(EventStore store) {
        AppendResult appended = createTestStream("game-1", 1);
        long eventId = appended.eventIds().get(0);
        List<Throwable> refused = new CopyOnWriteArrayList<>();
        for (ThrowingRunnable call : List.<ThrowingRunnable>of(
                () -> store.awaitPublished(appended, Duration.ofSeconds(-1)),
                () -> store.awaitPublished(eventId, Duration.ofMillis(-1)),
                () -> store.awaitPublished(appended, null),
                () -> store.awaitPublished(null, Duration.ofSeconds(1)),
                () -> store.awaitPublished(0, Duration.ofSeconds(1)),
                () -> store.awaitPublished(eventId + 1_000_000, Duration.ofSeconds(1)),
                () -> store.awaitConsumed(null, appended, Duration.ofSeconds(1)),
                () -> store.awaitConsumed("", eventId, Duration.ofSeconds(1)),
                () -> store.awaitConsumed("bad\ngroup", eventId, Duration.ofSeconds(1)),
                () -> store.awaitConsumed("x".repeat(10_000), eventId, Duration.ofSeconds(1)),
                () -> store.awaitConsumed("scoreboard", eventId, null))) {
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call::run);
            assertThat(thrown).isInstanceOf(InvalidRequestException.class);
            refused.add(thrown);
        }
        for (Throwable t : refused) {
            assertThat(t.getMessage()).doesNotContain("\n").hasSizeLessThan(300);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aPoolOfOneConnectionStillEndsAWaitInTimeAndServesAppends() throws Exception {
        EventStore own = EventStore.open(EventStoreConfig.of(TestDatabase.get().settings(), SharedStoreExtension.eventStore().schema())
                .with(EventStoreConfig.POOL_MAX_SIZE, "1")
                .with(EventStoreConfig.POOL_CONNECTION_TIMEOUT_MS, "5000"));
        try {
            AppendResult appended = own.append("game-1", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
            long start = System.nanoTime();
            assertThatThrownBy(() -> own.awaitPublished(appended, Duration.ofMillis(500)))
                    .isInstanceOf(AwaitTimeoutException.class)
                    .hasMessageContaining("is not in Kafka after 500 ms");
            assertThat(millisSince(start)).as("less than the pool's 5 s connection timeout").isLessThan(4_500);
            // The listener lingers after the wait; the store's one connection still serves an append.
            start = System.nanoTime();
            own.append("game-1", ExpectedVersion.exactly(1), EventData.of("GameEnded", "{}"));
            assertThat(millisSince(start)).as("less than the pool's 5 s connection timeout").isLessThan(4_500);
        } finally {
            own.close();
        }
    }

    @Test
    void aWaitByEventIdEndsInTimeWhenPostgresHasStoppedAnswering() throws Exception {
        TestDatabase database = TestDatabase.get();
        assumeThat(database.embedded()).as("needs the embedded server's port").isNotNull();
        try (BlackHoleProxy proxy = new BlackHoleProxy(database.embedded().port())) {
            EventStore own = EventStore.open(EventStoreConfig.of(
                    new ConnectionSettings(proxy.jdbcUrl(), database.settings().user(), database.settings().password()),
                    SharedStoreExtension.eventStore().schema()).with(EventStoreConfig.POOL_CONNECTION_TIMEOUT_MS, "10000"));
            try {
                long eventId = own.append("game-1", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"))
                        .eventIds().get(0);
                proxy.freeze(); // before the wait: its first read, of the event's stream, gets no answer
                long start = System.nanoTime();
                assertThatThrownBy(() -> own.awaitConsumed("leaderboard", eventId, Duration.ofSeconds(1)))
                        .isInstanceOf(AwaitTimeoutException.class)
                        .hasMessageContaining("event " + eventId + " is not known to be consumed by group leaderboard after 1 s");
                assertThat(millisSince(start)).as("ms until the 1 s wait ended").isLessThan(8_000);
            } finally {
                proxy.close();
                own.close();
            }
        }
    }

    @Test
    void aWaitEndsInTimeWhenPostgresStopsAnswering() throws Exception {
        TestDatabase database = TestDatabase.get();
        assumeThat(database.embedded()).as("needs the embedded server's port").isNotNull();
        try (BlackHoleProxy proxy = new BlackHoleProxy(database.embedded().port())) {
            EventStore own = EventStore.open(EventStoreConfig.of(
                    new ConnectionSettings(proxy.jdbcUrl(), database.settings().user(), database.settings().password()),
                    SharedStoreExtension.eventStore().schema()).with(EventStoreConfig.POOL_CONNECTION_TIMEOUT_MS, "10000"));
            try {
                AppendResult appended = own.append("game-1", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
                Future<Throwable> waiting = pool.submit(() -> {
                    try {
                        own.awaitPublished(appended, Duration.ofSeconds(1));
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                });
                Thread.sleep(300);
                long start = System.nanoTime();
                proxy.freeze();
                Throwable thrown = waiting.get(15, TimeUnit.SECONDS);
                long took = millisSince(start);
                assertThat(thrown).isInstanceOf(AwaitTimeoutException.class)
                        .hasMessageContaining("in Kafka after 1 s");
                assertThat(took).as("ms until the 1 s wait ended, 0.3 s in").isLessThan(8_000);
            } finally {
                proxy.close();
                own.close();
            }
        }
    }

    @Test
    void aWriterLoginCannotMoveAnotherLoginsGroupToEndItsWaits(EventStore store) throws Exception {
        TestDatabase database = TestDatabase.get();
        assumeThat(database.embedded()).as("creates roles: only on the embedded server").isNotNull();
        String group = store.schema().value() + "_writer";
        database.embedded().createRole("pw_leaderboard", "pw-secret");
        database.embedded().createRole("pw_game_server", "pw-secret");
        database.execute("GRANT " + group + " TO pw_leaderboard", "GRANT " + group + " TO pw_game_server");
        AppendResult appended = createTestStream("game-1", 2);
        try (EventStore leaderboard = EventStore.builder(loginAs("pw_leaderboard")).schema(store.schema()).build();
             EventStore gameServer = EventStore.builder(loginAs("pw_game_server")).schema(store.schema()).build()) {
            // The leaderboard's own login has consumed version 1: the group is its own.
            leaderboard.subscriptions().recordPosition("leaderboard", "game-1", appended.eventIds().get(0), 1, null);

            // Another login moves the leaderboard's position past version 2, which it has not consumed.
            Throwable forged = org.assertj.core.api.Assertions.catchThrowable(() -> gameServer.subscriptions()
                    .recordPosition("leaderboard", "game-1", appended.eventIds().get(1), 2, null));
            assertThat(forged).as("another login's position for the group").isNotNull()
                    .hasMessageContaining("may not record positions of subscription leaderboard: they belong to role pw_leaderboard");
            assertThatThrownBy(() -> gameServer.awaitConsumed("leaderboard", appended, Duration.ofMillis(500)))
                    .isInstanceOf(AwaitTimeoutException.class);
        }
    }

    private static javax.sql.DataSource loginAs(String role) {
        TestDatabase database = TestDatabase.get();
        return new ConnectionSettings(database.embedded().jdbcUrl(), role, "pw-secret").dataSource();
    }

    /** A loopback forwarder to PostgreSQL that can stop forwarding anything, as a lost network does. */
    static final class BlackHoleProxy implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final int serverPort;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private volatile boolean frozen;

        BlackHoleProxy(int serverPort) throws IOException {
            this.serverPort = serverPort;
            Thread acceptor = new Thread(this::accept, "black-hole-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + listener.getLocalPort() + "/postgres?sslmode=disable&gssEncMode=disable";
        }

        void freeze() {
            frozen = true;
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    sockets.add(client);
                    if (frozen) {
                        continue; // accepted, never answered
                    }
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                    sockets.add(server);
                    pump(client, server);
                    pump(server, client);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void pump(Socket from, Socket to) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (!frozen) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                } catch (IOException ignored) {
                    // closed
                }
            }, "black-hole-pump");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
