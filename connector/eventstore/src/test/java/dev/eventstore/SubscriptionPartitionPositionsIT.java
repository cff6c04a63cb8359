package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.testing.SharedStoreExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Where a consumer group resumes on each topic-partition: the highest offset its rows record, plus one. */
@ExtendWith(SharedStoreExtension.class)
class SubscriptionPartitionPositionsIT {

    private static String at(String topic, int partition, long offset) {
        return "{\"topic\":\"" + topic + "\",\"partition\":" + partition + ",\"offset\":" + offset + "}";
    }

    @Test
    void highestRecordedOffsetPlusOnePerTopicPartition(EventStore store) {
        List<Long> a = createTestStream("game-a", 3).eventIds();
        List<Long> b = createTestStream("game-b", 2).eventIds();
        List<Long> c = createTestStream("game-c", 1).eventIds();
        List<Long> chat = createTestStream("chat-1", 1).eventIds();
        SubscriptionStore subscriptions = store.subscriptions();
        subscriptions.recordPosition("leaderboard", "game-a", a.get(2), 3, at("eventstore.game", 0, 41));
        subscriptions.recordPosition("leaderboard", "game-b", b.get(1), 2, at("eventstore.game", 0, 57));
        subscriptions.recordPosition("leaderboard", "game-c", c.get(0), 1, at("eventstore.game", 2, 9));
        subscriptions.recordPosition("leaderboard", "chat-1", chat.get(0), 1, at("eventstore.chat", 0, 0));
        subscriptions.recordPosition("other-group", "game-a", a.get(2), 3, at("eventstore.game", 0, 999));

        List<PartitionPosition> positions = subscriptions.partitionPositions("leaderboard");

        assertThat(positions).extracting(PartitionPosition::topic, PartitionPosition::partition,
                        PartitionPosition::nextOffset, PartitionPosition::streams)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("eventstore.chat", 0, 1L, 1L),
                        org.assertj.core.groups.Tuple.tuple("eventstore.game", 0, 58L, 2L),
                        org.assertj.core.groups.Tuple.tuple("eventstore.game", 2, 10L, 1L));
        assertThat(positions).allSatisfy(p -> assertThat(p.updatedAt()).isNotNull());
    }

    @Test
    void rowsWithoutAKafkaPositionAreLeftOut(EventStore store) {
        List<Long> a = createTestStream("game-a", 1).eventIds();
        List<Long> b = createTestStream("game-b", 1).eventIds();
        List<Long> c = createTestStream("game-c", 1).eventIds();
        List<Long> d = createTestStream("game-d", 1).eventIds();
        SubscriptionStore subscriptions = store.subscriptions();
        subscriptions.recordPosition("mirror", "game-a", a.get(0), 1, null);
        subscriptions.recordPosition("mirror", "game-b", b.get(0), 1, "{\"topic\":\"eventstore.game\",\"partition\":1}");
        subscriptions.recordPosition("mirror", "game-c", c.get(0), 1, "{\"topic\":\"eventstore.game\",\"partition\":1,\"offset\":2.5}");
        subscriptions.recordPosition("mirror", "game-d", d.get(0), 1, "{\"topic\":\"eventstore.game\",\"partition\":-1,\"offset\":3}");

        assertThat(subscriptions.partitionPositions("mirror")).isEmpty();
        assertThat(subscriptions.partitionPositions("nobody")).isEmpty();
    }

    @Test
    void anInvalidSubscriptionIdIsRefused(EventStore store) {
        assertThatThrownBy(() -> store.subscriptions().partitionPositions(" "))
                .isInstanceOf(InvalidRequestException.class);
    }
}
