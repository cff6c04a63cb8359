package dev.eventstore.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.RecordedEvent;
import dev.eventstore.SubscriptionPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Two subscribers in one group while partitions move between them: the second joins mid-stream,
 * then the first leaves. Positions never move backwards, no event is applied twice, none is lost.
 */
class SubscriberRebalanceIT {

    private static final int PARTITIONS = 3;

    @Test
    void partitionsMovingBetweenTwoMembersApplyEachEventOnceAndPositionsNeverRegress() throws Exception {
        ConsumerTestSupport support = new ConsumerTestSupport();
        String topic = support.createTopic("game", PARTITIONS);
        String group = support.group("leaderboard");
        List<RecordedEvent> events = new ArrayList<>();
        PositionWatcher watcher = new PositionWatcher(support, group);
        watcher.start();

        // Phase 1: the first member alone.
        List<RecordedEvent> phase1 = support.appendGames(0, 8);
        events.addAll(phase1);
        ConsumerTestSupport.publish(phase1, topic);
        CheckpointingSubscriber first = support.subscriber(ConsumerTestSupport.subscriberConfig(group, topic),
                slow(new ReadModel("first"))).start();
        CheckpointingSubscriber second = null;
        try {
            ConsumerTestSupport.await("the first member applies some events", Duration.ofSeconds(120),
                    () -> first.processedCount() >= 20);

            // Phase 2: the second member joins mid-stream; more events arrive once it owns partitions,
            // some of them on its partitions (the first member keeps what was published before the
            // rebalance, and may well have applied all of it by then).
            second = support.subscriber(ConsumerTestSupport.subscriberConfig(group, topic), slow(new ReadModel("second")))
                    .start();
            CheckpointingSubscriber joined = second;
            ConsumerTestSupport.await("the second member is assigned partitions", Duration.ofSeconds(120),
                    () -> !joined.assignment().isEmpty() || joined.failure().isPresent());
            Set<Integer> secondsPartitions = joined.assignment().stream().map(TopicPartition::partition)
                    .collect(Collectors.toSet());
            int games = 8;
            while (IntStream.range(8, 8 + games).filter(n -> secondsPartitions.contains(
                    ConsumerTestSupport.partitionOf(support.streamId(n), PARTITIONS))).count() < 2) {
                games++;
            }
            List<RecordedEvent> phase2 = support.appendGames(8, games);
            events.addAll(phase2);
            ConsumerTestSupport.publish(phase2, topic);
            ConsumerTestSupport.await("the second member applies events", Duration.ofSeconds(120),
                    () -> joined.processedCount() > 0);
            long firstBeforeLeaving = first.processedCount();

            // Phase 3: the first member leaves (its partitions move to the second); more events arrive.
            first.close();
            assertThat(first.state()).isEqualTo(CheckpointingSubscriber.State.STOPPED);
            List<RecordedEvent> phase3 = support.appendGames(8 + games, 8);
            events.addAll(phase3);
            ConsumerTestSupport.publish(phase3, topic);
            ConsumerTestSupport.await("every event applied", Duration.ofSeconds(180),
                    () -> first.processedCount() + joined.processedCount() >= events.size() || joined.failure().isPresent());

            assertThat(joined.failure()).isEmpty();
            assertThat(first.processedCount()).isGreaterThanOrEqualTo(firstBeforeLeaving);
            assertThat(ReadModel.appliedCount(support.database, "first")).isEqualTo(first.processedCount()).isPositive();
            assertThat(ReadModel.appliedCount(support.database, "second")).isEqualTo(joined.processedCount()).isPositive();
            assertThat(first.processedCount() + joined.processedCount()).isEqualTo(events.size());
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
            watcher.stop();
        }

        ReadModel.assertEachEventAppliedOnce(support.database, events);
        assertThat(watcher.regressions).as("positions that moved backwards").isEmpty();
        assertThat(watcher.samples).as("positions sampled while partitions moved").isGreaterThan(3);
        for (RecordedEvent event : events) {
            assertThat(support.store().subscriptions().position(group, event.streamId()).orElseThrow().lastSeenStreamVersion())
                    .isGreaterThanOrEqualTo(event.streamVersion());
        }
        assertThat(support.store().subscriptions().partitionPositions(group)).allSatisfy(p -> assertThat(p.topic()).isEqualTo(topic));
    }

    /** A handler that takes a little time per event, so partitions move while events are in flight. */
    private static EventHandler slow(ReadModel model) {
        return (event, connection) -> {
            model.handle(event, connection);
            try (var pause = connection.prepareStatement("SELECT pg_sleep(0.002)")) {
                pause.execute();
            }
        };
    }

    /** Samples the group's positions from another connection and records any that moved backwards. */
    private static final class PositionWatcher implements Runnable {

        private final ConsumerTestSupport support;
        private final String group;
        private final Map<String, Long> seen = new ConcurrentHashMap<>();
        final List<String> regressions = java.util.Collections.synchronizedList(new ArrayList<>());
        private final CountDownLatch stop = new CountDownLatch(1);
        private final CountDownLatch stopped = new CountDownLatch(1);
        volatile int samples;

        PositionWatcher(ConsumerTestSupport support, String group) {
            this.support = support;
            this.group = group;
        }

        void start() {
            Thread thread = new Thread(this, "position-watcher");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stop.countDown();
            assertThat(stopped.await(60, TimeUnit.SECONDS)).as("watcher stopped").isTrue();
        }

        @Override
        public void run() {
            try {
                do {
                    for (SubscriptionPosition position : support.store().subscriptions().positions(group)) {
                        Long before = seen.put(position.streamId(), position.lastSeenStreamVersion());
                        if (before != null && before > position.lastSeenStreamVersion()) {
                            regressions.add(position.streamId() + ": " + before + " -> " + position.lastSeenStreamVersion());
                        }
                    }
                    samples++;
                } while (!stop.await(25, TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        }
    }
}
