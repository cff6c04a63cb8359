package dev.eventstore.examples.leaderboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.EventStore;
import dev.eventstore.consumer.CheckpointingSubscriber;
import dev.eventstore.examples.leaderboard.Leaderboard.Entry;
import dev.eventstore.testing.EventStoreExtension;
import dev.eventstore.testing.kafka.KafkaEvents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole service in the kit's end-to-end mode: games append events, the bridge publishes them
 * to Kafka, the subscriber keeps the leaderboard, HTTP serves it.
 */
class LeaderboardEndToEndTest {

    @RegisterExtension
    static final EventStoreExtension STORE = EventStoreExtension.builder().endToEnd(true).build();

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void scoresReachTheLeaderboardExactlyOnce(EventStore store, KafkaEvents kafka) throws Exception {
        Leaderboard leaderboard = new Leaderboard(store.dataSource(), store.schema().value());
        leaderboard.createTable();
        Games games = new Games(store);
        games.start("g1", "race");
        games.score("g1", "ann", 3);
        games.score("g1", "bob", 2);
        games.score("g1", "ann", 4);
        kafka.awaitRecords(GameEvents.streamId("g1"), 4);

        Map<String, Object> settings = new HashMap<>(kafka.consumerProperties("leaderboard"));
        settings.put("topics", kafka.topicOf(GameEvents.streamId("g1")));
        try (CheckpointingSubscriber subscriber = leaderboard.subscriber(settings, store).start()) {
            await().atMost(TIMEOUT).untilAsserted(() ->
                    assertThat(leaderboard.top(10)).containsExactly(new Entry("ann", 7), new Entry("bob", 2)));
        }

        // Kafka forgets the group's offsets (as after a crash before its commit): the subscriber
        // resumes from the positions it recorded with the points, so no event counts twice.
        rewindGroup(kafka, "leaderboard", kafka.topicOf(GameEvents.streamId("g1")));
        games.score("g1", "bob", 5);
        try (CheckpointingSubscriber subscriber = leaderboard.subscriber(settings, store).start()) {
            await().atMost(TIMEOUT).untilAsserted(() ->
                    assertThat(leaderboard.top(10)).containsExactly(new Entry("ann", 7), new Entry("bob", 7)));
            assertThat(subscriber.processedCount()).isEqualTo(1);
        }

        try (LeaderboardHttp http = LeaderboardHttp.start(leaderboard, "127.0.0.1", 0)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http.port() + "/leaderboard?limit=1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("[{\"playerId\":\"ann\",\"points\":7}]");
        }
    }

    private static void rewindGroup(KafkaEvents kafka, String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Set<TopicPartition> partitions = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get().keySet().stream().filter(p -> p.topic().equals(topic)).collect(Collectors.toSet());
            assertThat(partitions).isNotEmpty();
            admin.alterConsumerGroupOffsets(group, partitions.stream()
                    .collect(Collectors.toMap(p -> p, p -> new OffsetAndMetadata(0)))).all().get();
            assertThat(List.copyOf(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values()))
                    .allSatisfy(offset -> assertThat(offset.offset()).isZero());
        }
    }
}
