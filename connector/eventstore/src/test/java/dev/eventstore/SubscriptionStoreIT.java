package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.testing.SharedStoreExtension;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedStoreExtension.class)
class SubscriptionStoreIT {

    @Test
    void positionsOnlyMoveForward(EventStore store) {
        AppendResult appended = createTestStream("game-1", 5);
        List<Long> ids = appended.eventIds();
        SubscriptionStore subscriptions = store.subscriptions();

        assertThat(subscriptions.recordPosition("leaderboard", "game-1", ids.get(2), 3, "{\"topic\":\"eventstore.game\",\"partition\":0,\"offset\":12}")).isTrue();
        assertThat(subscriptions.recordPosition("leaderboard", "game-1", ids.get(1), 2, "{\"offset\":11}")).isFalse();
        assertThat(subscriptions.recordPosition("leaderboard", "game-1", ids.get(2), 3, "{\"offset\":99}")).isFalse();

        SubscriptionPosition position = subscriptions.position("leaderboard", "game-1").orElseThrow();
        assertThat(position.lastSeenStreamVersion()).isEqualTo(3);
        assertThat(position.lastSeenEventId()).isEqualTo(ids.get(2));
        assertThat(position.metadata()).isEqualTo("{\"topic\": \"eventstore.game\", \"offset\": 12, \"partition\": 0}");

        assertThat(subscriptions.recordPosition("leaderboard", "game-1", ids.get(4), 5, null)).isTrue();
        SubscriptionPosition moved = subscriptions.position("leaderboard", "game-1").orElseThrow();
        assertThat(moved.lastSeenStreamVersion()).isEqualTo(5);
        assertThat(moved.updatedAt()).isAfterOrEqualTo(position.updatedAt());
        assertThat(moved.createdAt()).isEqualTo(position.createdAt());
    }

    @Test
    void concurrentWritersInAnyOrderLeaveTheHighestPosition(EventStore store) throws Exception {
        AppendResult appended = createTestStream("game-1", 40);
        List<Integer> versions = new ArrayList<>();
        for (int v = 1; v <= 40; v++) {
            versions.add(v);
        }
        Collections.shuffle(versions, new Random(7));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int writer = 0; writer < 4; writer++) {
                List<Integer> mine = versions.subList(writer * 10, writer * 10 + 10);
                done.add(pool.submit(() -> {
                    for (int v : mine) {
                        store.subscriptions().recordPosition("mirror", "game-1", appended.eventIds().get(v - 1), v, null);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.subscriptions().position("mirror", "game-1").orElseThrow().lastSeenStreamVersion()).isEqualTo(40);
    }

    @Test
    void positionsListsEveryStreamAndDeleteRemovesThem(EventStore store) {
        AppendResult a = createTestStream("game-a", 1);
        AppendResult b = createTestStream("game-b", 2);
        SubscriptionStore subscriptions = store.subscriptions();
        subscriptions.recordPosition("group-1", "game-b", b.eventIds().get(1), 2, null);
        subscriptions.recordPosition("group-1", "game-a", a.eventIds().get(0), 1, null);
        subscriptions.recordPosition("group-2", "game-a", a.eventIds().get(0), 1, null);

        assertThat(subscriptions.positions("group-1")).extracting(SubscriptionPosition::streamId).containsExactly("game-a", "game-b");
        assertThat(subscriptions.positions("nobody")).isEmpty();
        assertThat(subscriptions.deleteSubscription("group-1", "game-a")).isEqualTo(1);
        assertThat(subscriptions.positions("group-1")).extracting(SubscriptionPosition::streamId).containsExactly("game-b");
        assertThat(subscriptions.deleteSubscription("group-1")).isEqualTo(1);
        assertThat(subscriptions.positions("group-1")).isEmpty();
        assertThat(subscriptions.positions("group-2")).hasSize(1);
    }

    @Test
    void positionInAStreamThatDoesNotExistIsRefused(EventStore store) {
        assertThatThrownBy(() -> store.subscriptions().recordPosition("group-1", "game-404", 1, 1, null))
                .isInstanceOf(StreamNotFoundException.class)
                .hasMessage("stream 'game-404' not found");
        assertThat(SharedStoreExtension.counts().subscriptions()).isZero();
    }

    @Test
    void invalidPositionsAreRefused(EventStore store) {
        createTestStream("game-1", 1);
        SubscriptionStore subscriptions = store.subscriptions();
        assertThatThrownBy(() -> subscriptions.recordPosition(" ", "game-1", 1, 1, null))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("invalid subscription id ' ': the subscription id is only whitespace");
        assertThatThrownBy(() -> subscriptions.recordPosition("g", "game-1", 1, 0, null))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("invalid subscription position: event id 1 and stream version 0 must be 1 or more");
        assertThatThrownBy(() -> subscriptions.recordPosition("g", "game-1", 1, 1, "[]"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("invalid subscription position for 'g': the subscription metadata is not a JSON object");
        assertThat(SharedStoreExtension.counts().subscriptions()).isZero();
    }

    /** The consumer library records positions in the handler's own transaction: they roll back together. */
    @Test
    void positionOnTheCallersTransactionRollsBackWithIt(EventStore store) throws Exception {
        AppendResult appended = createTestStream("game-1", 1);
        try (Connection connection = store.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            assertThat(store.subscriptions().recordPosition(connection, "handler", "game-1", appended.eventIds().get(0), 1, null)).isTrue();
            connection.rollback();
            connection.setAutoCommit(true);
        }
        assertThat(store.subscriptions().position("handler", "game-1")).isEmpty();
    }
}
