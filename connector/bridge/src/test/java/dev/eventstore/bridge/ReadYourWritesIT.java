package dev.eventstore.bridge;

import static dev.eventstore.testing.EventRecordContract.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.AppendResult;
import dev.eventstore.AwaitTimeoutException;
import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.InvalidRequestException;
import dev.eventstore.testing.TestKafka;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * awaitPublished and awaitConsumed against the embedded bridge and a real Kafka: a wait returns
 * once the record is really in Kafka (or the group really has it), times out with the facts, and a
 * thousand concurrent waits cost the database about a query each.
 */
class ReadYourWritesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final BridgeTestSupport support = new BridgeTestSupport();
    private EventBridge bridge;

    @AfterEach
    void stop() {
        if (bridge != null) {
            bridge.close();
        }
        support.dropSlot();
    }

    private void startBridge() throws Exception {
        bridge = EventBridge.start(new BridgeConfig(support.config()), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
    }

    @Test
    void awaitPublishedReturnsOnceTheRecordIsInKafka() throws Exception {
        startBridge();
        AppendResult first = support.store.append("game-1", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        AppendResult second = support.store.append("game-1", ExpectedVersion.exactly(1), EventData.of("GameEnded", "{}"));
        long eventId = second.eventIds().get(0);

        support.store.awaitPublished(second, TIMEOUT);

        // Kafka holds it now: an end-offset read finds it at once, and at the recorded position.
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(support.topics(), 2, Duration.ofSeconds(10));
        ConsumerRecord<String, byte[]> record = records.stream()
                .filter(r -> String.valueOf(eventId).equals(header(r, "ce_id"))).findFirst().orElseThrow();
        try (Connection connection = support.database.connect();
             PreparedStatement query = connection.prepareStatement("SELECT last_published_stream_version, topic,"
                     + " kafka_partition, kafka_offset FROM " + BridgeTestSupport.SCHEMA + ".published_streams WHERE stream_id = ?")) {
            query.setString(1, "game-1");
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(2);
                assertThat(rs.getString(2)).isEqualTo(record.topic());
                assertThat(rs.getInt(3)).isEqualTo(record.partition());
                assertThat(rs.getLong(4)).isEqualTo(record.offset());
            }
        }
        // By event id too (the command line's form), and at once for an event already published.
        support.store.awaitPublished(first.eventIds().get(0), Duration.ofSeconds(5));
        assertThatThrownBy(() -> support.store.awaitPublished(Long.MAX_VALUE, Duration.ofSeconds(1)))
                .isInstanceOf(InvalidRequestException.class).hasMessage("no event has id " + Long.MAX_VALUE);
    }

    @Test
    void aWaitTimesOutNamingWhereTheStreamStands() throws Exception {
        startBridge();
        AppendResult first = support.store.append("game-2", ExpectedVersion.NO_STREAM, EventData.of("GameStarted", "{}"));
        support.store.awaitPublished(first, TIMEOUT);
        bridge.close();
        bridge = null;
        AppendResult second = support.store.append("game-2", ExpectedVersion.exactly(1), EventData.of("GameEnded", "{}"));
        long eventId = second.eventIds().get(0);

        long start = System.nanoTime();
        assertThatThrownBy(() -> support.store.awaitPublished(second, Duration.ofSeconds(2)))
                .isInstanceOf(AwaitTimeoutException.class)
                .hasMessageStartingWith("event " + eventId + " (stream game-2, version 2) is not in Kafka after 2 s:"
                        + " Kafka holds the stream to version 1 (topic " + support.topicPrefix + ".game, partition ")
                .satisfies(e -> assertThat(((AwaitTimeoutException) e).reachedVersion()).isEqualTo(1));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

        assertThatThrownBy(() -> support.store.awaitConsumed("scoreboard", first, Duration.ofMillis(500)))
                .isInstanceOf(AwaitTimeoutException.class)
                .hasMessageStartingWith("event " + first.eventIds().get(0) + " (stream game-2, version 1) is not consumed by"
                        + " group scoreboard after 500 ms: the group has no position in the stream; the event is at topic "
                        + support.topicPrefix + ".game, partition ");
    }

    @Test
    void awaitConsumedReturnsOnceTheGroupRecordedTheEvent() throws Exception {
        startBridge();
        AppendResult appended = support.store.append("player-7", ExpectedVersion.NO_STREAM,
                EventData.of("PlayerJoined", "{}"), EventData.of("PlayerScored", "{\"points\":3}"));
        support.store.awaitPublished(appended, TIMEOUT);

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> waiting = pool.submit(() -> {
                support.store.awaitConsumed("scoreboard", appended, TIMEOUT);
                return null;
            });
            // The group's consumer: reads the records and records its position as the consumer library does.
            List<ConsumerRecord<String, byte[]>> records = TestKafka.readToEnd(support.topics(), 2, Duration.ofSeconds(30));
            ConsumerRecord<String, byte[]> first = records.get(0);
            support.store.subscriptions().recordPosition("scoreboard", "player-7", appended.eventIds().get(0), 1,
                    "{\"topic\":\"" + first.topic() + "\",\"partition\":" + first.partition() + ",\"offset\":" + first.offset() + "}");
            // The group has consumed version 1 only: a wait for version 2 times out, the first still waits.
            assertThatThrownBy(() -> support.store.awaitConsumed("scoreboard", appended, Duration.ofMillis(300)))
                    .isInstanceOf(AwaitTimeoutException.class)
                    .hasMessageContaining("the group has consumed it to version 1 (topic " + first.topic() + ", partition "
                            + first.partition() + ", offset " + first.offset() + ")");
            assertThat(waiting.isDone()).isFalse();

            ConsumerRecord<String, byte[]> last = records.get(1);
            support.store.subscriptions().recordPosition("scoreboard", "player-7", appended.eventIds().get(1), 2,
                    "{\"topic\":\"" + last.topic() + "\",\"partition\":" + last.partition() + ",\"offset\":" + last.offset() + "}");
            waiting.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aThousandConcurrentWaitsCostAboutAQueryEach() throws Exception {
        startBridge();
        int waits = 1000;
        List<AppendResult> appended = new ArrayList<>();
        for (int i = 0; i < waits; i++) {
            appended.add(support.store.append("crowd-" + (i % 100), i < 100 ? ExpectedVersion.NO_STREAM : ExpectedVersion.ANY,
                    EventData.of("Cheered", "{}")));
        }
        long queriesBefore = support.store.awaitQueries();
        ExecutorService pool = Executors.newFixedThreadPool(waits);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (AppendResult result : appended) {
                done.add(pool.submit(() -> {
                    support.store.awaitPublished(result, TIMEOUT);
                    return null;
                }));
            }
            for (Future<?> wait : done) {
                wait.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long queries = support.store.awaitQueries() - queriesBefore;
        // At most one query per wait when it starts (none once the listener has answered it), plus
        // the listener's shared ones (one per batch of notifications).
        assertThat(queries).isBetween(1L, 2L * waits);
    }
}
