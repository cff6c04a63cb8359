package dev.eventstore.examples.leaderboard;

import dev.eventstore.EventStore;
import dev.eventstore.EventStoreConfig;
import dev.eventstore.consumer.CheckpointingSubscriber;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The leaderboard service: keeps the leaderboard from the games' topic and serves it on
 * {@code http://localhost:8080/leaderboard}. The event store comes from the environment
 * ({@code EVENTSTORE_DB_URL}, ... as {@link EventStoreConfig#fromEnvironment()} reads them); Kafka
 * from {@code KAFKA_BOOTSTRAP_SERVERS} (default {@code localhost:9092}), the games' topic from
 * {@code LEADERBOARD_TOPIC} (default {@code eventstore.game}), the port from {@code HTTP_PORT}.
 */
public final class LeaderboardApp {

    private LeaderboardApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        EventStore store = EventStore.open(EventStoreConfig.fromEnvironment());
        store.migrate();
        Leaderboard leaderboard = new Leaderboard(store.dataSource(), store.schema().value());
        leaderboard.createTable();
        CheckpointingSubscriber subscriber = leaderboard.subscriber(Map.of(
                "group.id", "leaderboard",
                "topics", env.getOrDefault("LEADERBOARD_TOPIC", "eventstore.game"),
                "bootstrap.servers", env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")), store).start();
        LeaderboardHttp http = LeaderboardHttp.start(leaderboard, "0.0.0.0",
                Integer.parseInt(env.getOrDefault("HTTP_PORT", "8080")));
        System.out.println("Leaderboard on http://localhost:" + http.port() + "/leaderboard");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.close();
            subscriber.close();
            store.close();
            stopped.countDown();
        }, "leaderboard-stop"));
        stopped.await();
    }
}
