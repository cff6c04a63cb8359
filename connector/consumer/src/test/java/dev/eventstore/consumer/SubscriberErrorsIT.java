package dev.eventstore.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.RecordedEvent;
import dev.eventstore.connect.EventRecordHeaders;
import dev.eventstore.consumer.CheckpointingSubscriberConfig.Key;
import dev.eventstore.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

/**
 * Malformed records and failing handlers: a clear error that names the record or event, retries
 * with backoff, and with the dead-letter policy the record parked and the subscriber carrying on.
 */
class SubscriberErrorsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ConsumerTestSupport support = new ConsumerTestSupport();

    /** Good events of one game, one partition, so offsets are the list's indexes. */
    private List<RecordedEvent> game(String topic) {
        List<RecordedEvent> events = support.appendGames(0, 1);
        assertThat(events).hasSizeGreaterThan(6);
        return events;
    }

    /** The record of {@code event} with one header removed or replaced, and/or other data. */
    private static ProducerRecord<String, byte[]> broken(RecordedEvent event, String topic, String header, String value,
                                                          String data) {
        ProducerRecord<String, byte[]> good = EventRecords.binary(event, topic);
        Headers headers = good.headers();
        if (header != null) {
            headers.remove(header);
            if (value != null) {
                EventRecords.add(headers, header, value);
            }
        }
        return new ProducerRecord<>(topic, null, good.timestamp(), good.key(),
                data == null ? good.value() : data.getBytes(StandardCharsets.UTF_8), headers);
    }

    @Test
    void aMalformedRecordStopsTheSubscriberWithAClearErrorByDefault() throws Exception {
        String topic = support.createTopic("game", 1);
        String group = support.group("strict");
        List<RecordedEvent> events = game(topic);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        events.subList(0, 3).forEach(e -> records.add(EventRecords.binary(e, topic)));
        records.add(broken(events.get(3), topic, EventRecordHeaders.TYPE, null, null));
        events.subList(3, events.size()).forEach(e -> records.add(EventRecords.binary(e, topic)));
        ConsumerTestSupport.send(records);

        CheckpointingSubscriber subscriber = support.subscriber(ConsumerTestSupport.subscriberConfig(group, topic),
                new ReadModel("one")).start();
        assertThat(subscriber.awaitTermination(TIMEOUT)).as("stopped").isTrue();

        assertThat(subscriber.state()).isEqualTo(CheckpointingSubscriber.State.FAILED);
        assertThat(subscriber.failure()).get().extracting(Throwable::getMessage).isEqualTo("Subscriber " + group
                + " cannot read the record at " + topic + "-0@3: header ce_type is missing (errors.policy=fail; with"
                + " dead-letter it would be parked)");
        assertThat(ReadModel.appliedCount(support.database)).as("the events before it").isEqualTo(3);
        assertThat(committed(group)).isEqualTo(Map.of(new TopicPartition(topic, 0), 3L));
        subscriber.close();
    }

    @Test
    void withTheDeadLetterPolicyMalformedRecordsAreParkedAndTheSubscriberCarriesOn() throws Exception {
        String topic = support.createTopic("game", 1);
        String deadLetters = support.createTopic("parked", 1);
        String group = support.group("parking");
        List<RecordedEvent> events = game(topic);
        RecordedEvent victim = events.get(2);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        records.add(EventRecords.binary(events.get(0), topic));
        records.add(broken(victim, topic, EventRecordHeaders.TYPE, null, null));
        records.add(broken(victim, topic, EventRecordHeaders.STREAM_VERSION, "three", null));
        records.add(broken(victim, topic, null, null, "{not json"));
        records.add(broken(victim, topic, EventRecordHeaders.TYPE, "PlayerTeleported", null));
        records.add(new ProducerRecord<>(topic, victim.streamId(), null));
        events.subList(1, events.size()).forEach(e -> records.add(EventRecords.binary(e, topic)));
        ConsumerTestSupport.send(records);

        Map<String, Object> config = ConsumerTestSupport.subscriberConfig(group, topic);
        config.put(Key.ERRORS_POLICY, "dead-letter");
        config.put(Key.DEAD_LETTER_TOPIC, deadLetters);
        try (CheckpointingSubscriber subscriber = support.subscriber(config, new ReadModel("one")).start()) {
            ConsumerTestSupport.await("every event applied", TIMEOUT,
                    () -> subscriber.processedCount() >= events.size() || subscriber.failure().isPresent());
            assertThat(subscriber.failure()).isEmpty();
            assertThat(subscriber.state()).isEqualTo(CheckpointingSubscriber.State.RUNNING);
            assertThat(subscriber.parkedCount()).isEqualTo(5);
        }
        ReadModel.assertEachEventAppliedOnce(support.database, events);

        List<ConsumerRecord<String, byte[]>> parked = TestKafka.readUntil(Pattern.quote(deadLetters), r -> r.size() >= 5,
                TIMEOUT);
        assertThat(parked).hasSize(5);
        assertThat(parked).allSatisfy(r -> {
            assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_MALFORMED_RECORD);
            assertThat(header(r, DeadLetterHeaders.SUBSCRIPTION)).isEqualTo(group);
            assertThat(header(r, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
            assertThat(header(r, DeadLetterHeaders.ORIGINAL_PARTITION)).isEqualTo("0");
            assertThat(header(r, DeadLetterHeaders.ATTEMPTS)).isEqualTo("0");
            assertThat(r.key()).isEqualTo(victim.streamId());
        });
        assertThat(parked).extracting(r -> header(r, DeadLetterHeaders.ORIGINAL_OFFSET)).containsExactly("1", "2", "3", "4", "5");
        assertThat(parked).extracting(r -> header(r, DeadLetterHeaders.ERROR_CLASS))
                .containsExactly("missing-header", "invalid-header", "not-json", "unknown-type", "no-value");
        assertThat(parked).extracting(r -> header(r, DeadLetterHeaders.ERROR_MESSAGE)).containsExactly(
                "header ce_type is missing",
                "header ce_streamversion is not a whole number",
                "the value is not valid JSON (line 1, column 2)",
                "event type 'PlayerTeleported' is not registered in the event serializer's registry",
                "the record has no value (a tombstone); event records always carry the event's data");
        assertThat(parked.get(2).value()).as("parked as it was").isEqualTo("{not json".getBytes(StandardCharsets.UTF_8));
        assertThat(header(parked.get(0), EventRecordHeaders.ID)).as("original headers kept").isEqualTo(Long.toString(victim.eventId()));
    }

    @Test
    void aHandlerFailingTwiceIsRetriedWithBackoffThenSucceeds() {
        String topic = support.createTopic("game", 1);
        String group = support.group("retry");
        List<RecordedEvent> events = game(topic);
        ConsumerTestSupport.publish(events, topic);
        RecordedEvent flaky = events.get(2);
        List<Long> attempts = new CopyOnWriteArrayList<>();
        ReadModel model = new ReadModel("one");
        EventHandler handler = (event, connection) -> {
            model.handle(event, connection);   // written, then rolled back by the failures
            if (event.eventId() == flaky.eventId()) {
                attempts.add(System.nanoTime());
                if (attempts.size() <= 2) {
                    throw new IllegalStateException("leaderboard service unavailable (attempt " + attempts.size() + ")");
                }
            }
        };
        Map<String, Object> config = ConsumerTestSupport.subscriberConfig(group, topic);
        config.put(Key.RETRY_ATTEMPTS, 4);
        config.put(Key.RETRY_BACKOFF_INITIAL_MS, 100);
        config.put(Key.RETRY_BACKOFF_MULTIPLIER, 3.0);
        config.put(Key.RETRY_BACKOFF_MAX_MS, 1000);
        try (CheckpointingSubscriber subscriber = support.subscriber(config, handler).start()) {
            ConsumerTestSupport.await("every event applied", TIMEOUT,
                    () -> subscriber.processedCount() >= events.size() || subscriber.failure().isPresent());
            assertThat(subscriber.failure()).isEmpty();
            assertThat(subscriber.state()).isEqualTo(CheckpointingSubscriber.State.RUNNING);
        }
        assertThat(attempts).hasSize(3);
        assertThat(Duration.ofNanos(attempts.get(1) - attempts.get(0))).as("first backoff").isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(Duration.ofNanos(attempts.get(2) - attempts.get(1))).as("second backoff, 3 times longer")
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        ReadModel.assertEachEventAppliedOnce(support.database, events);
    }

    @Test
    void aHandlerThatAlwaysFailsStopsTheSubscriberNamingTheEvent() throws Exception {
        String topic = support.createTopic("game", 1);
        String group = support.group("stuck");
        List<RecordedEvent> events = game(topic);
        ConsumerTestSupport.publish(events, topic);
        RecordedEvent poison = events.get(2);
        AtomicInteger attempts = new AtomicInteger();
        ReadModel model = new ReadModel("one");
        EventHandler handler = (event, connection) -> {
            model.handle(event, connection);
            if (event.eventId() == poison.eventId()) {
                attempts.incrementAndGet();
                throw new IllegalStateException("no leaderboard for this game mode");
            }
        };
        Map<String, Object> config = ConsumerTestSupport.subscriberConfig(group, topic);
        config.put(Key.RETRY_ATTEMPTS, 3);
        CheckpointingSubscriber subscriber = support.subscriber(config, handler).start();
        assertThat(subscriber.awaitTermination(TIMEOUT)).as("stopped").isTrue();

        assertThat(subscriber.state()).isEqualTo(CheckpointingSubscriber.State.FAILED);
        assertThat(attempts).hasValue(3);
        assertThat(subscriber.failure()).get().satisfies(e -> {
            assertThat(e.getMessage()).isEqualTo("Subscriber " + group + ": the handler failed 3 times on event "
                    + poison.streamId() + "@3 (event " + poison.eventId() + ", " + poison.eventType() + ") at " + topic
                    + "-0@2: IllegalStateException: no leaderboard for this game mode");
            assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
        });
        assertThat(ReadModel.appliedCount(support.database)).as("the events before it, and nothing of it").isEqualTo(2);
        assertThat(support.store().subscriptions().position(group, poison.streamId()).orElseThrow().lastSeenStreamVersion())
                .as("its stream's position stays before it").isEqualTo(2);
        assertThat(committed(group)).isEqualTo(Map.of(new TopicPartition(topic, 0), 2L));
        assertThatThrownBy(subscriber::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("runs once");
        subscriber.close();

        // Once the cause is fixed, a new subscriber of the group resumes at that event.
        try (CheckpointingSubscriber fixed = support.subscriber(ConsumerTestSupport.subscriberConfig(group, topic),
                new ReadModel("fixed")).start()) {
            ConsumerTestSupport.await("the rest applied", TIMEOUT,
                    () -> fixed.processedCount() >= events.size() - 2 || fixed.failure().isPresent());
            assertThat(fixed.processedCount()).isEqualTo(events.size() - 2);
            assertThat(fixed.duplicateCount()).isZero();
        }
        ReadModel.assertEachEventAppliedOnce(support.database, events);
    }

    @Test
    void withTheDeadLetterPolicyAnEventTheHandlerKeepsFailingOnIsParkedAndItsPositionRecorded() throws Exception {
        String topic = support.createTopic("game", 1);
        String deadLetters = support.createTopic("parked", 1);
        String group = support.group("park-failing");
        List<RecordedEvent> events = game(topic);
        ConsumerTestSupport.publish(events, topic);
        RecordedEvent poison = events.get(2);
        ReadModel model = new ReadModel("one");
        EventHandler handler = (event, connection) -> {
            if (event.eventId() == poison.eventId()) {
                throw new IllegalStateException("no leaderboard for this game mode");
            }
            model.handle(event, connection);
        };
        Map<String, Object> config = ConsumerTestSupport.subscriberConfig(group, topic);
        config.put(Key.RETRY_ATTEMPTS, 2);
        config.put(Key.ERRORS_POLICY, "dead-letter");
        config.put(Key.DEAD_LETTER_TOPIC, deadLetters);
        try (CheckpointingSubscriber subscriber = support.subscriber(config, handler).start()) {
            ConsumerTestSupport.await("every other event applied", TIMEOUT,
                    () -> subscriber.processedCount() >= events.size() - 1 || subscriber.failure().isPresent());
            assertThat(subscriber.failure()).isEmpty();
            assertThat(subscriber.parkedCount()).isEqualTo(1);
        }
        List<RecordedEvent> applied = new ArrayList<>(events);
        applied.remove(poison);
        ReadModel.assertEachEventAppliedOnce(support.database, applied);
        assertThat(support.store().subscriptions().position(group, poison.streamId()).orElseThrow().lastSeenStreamVersion())
                .isEqualTo(events.size());

        ConsumerRecord<String, byte[]> parked = TestKafka.readUntil(Pattern.quote(deadLetters), r -> !r.isEmpty(), TIMEOUT).get(0);
        assertThat(header(parked, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_HANDLER_FAILED);
        assertThat(header(parked, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(IllegalStateException.class.getName());
        assertThat(header(parked, DeadLetterHeaders.ERROR_MESSAGE)).isEqualTo("IllegalStateException: no leaderboard for this game mode");
        assertThat(header(parked, DeadLetterHeaders.ATTEMPTS)).isEqualTo("2");
        assertThat(header(parked, DeadLetterHeaders.ORIGINAL_OFFSET)).isEqualTo("2");
        assertThat(parked.value()).isEqualTo(poison.data().getBytes(StandardCharsets.UTF_8));
        assertThat(header(parked, EventRecordHeaders.STREAM_VERSION)).isEqualTo("3");
    }

    @Test
    void closeAbandonsRetriesAndReturnsPromptly() throws Exception {
        String topic = support.createTopic("game", 1);
        String group = support.group("closing");
        List<RecordedEvent> events = game(topic);
        ConsumerTestSupport.publish(events, topic);
        RecordedEvent poison = events.get(1);
        AtomicInteger attempts = new AtomicInteger();
        ReadModel model = new ReadModel("one");
        EventHandler handler = (event, connection) -> {
            model.handle(event, connection);
            if (event.eventId() == poison.eventId()) {
                attempts.incrementAndGet();
                throw new IllegalStateException("down");
            }
        };
        Map<String, Object> config = ConsumerTestSupport.subscriberConfig(group, topic);
        config.put(Key.RETRY_ATTEMPTS, 5);
        config.put(Key.RETRY_BACKOFF_INITIAL_MS, 20_000);
        config.put(Key.RETRY_BACKOFF_MAX_MS, 20_000);
        CheckpointingSubscriber subscriber = support.subscriber(config, handler).start();
        ConsumerTestSupport.await("the first attempt failed", TIMEOUT, () -> attempts.get() == 1);

        long started = System.nanoTime();
        subscriber.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).as("close does not sit out a 20 s backoff").isLessThan(Duration.ofSeconds(10));
        assertThat(subscriber.state()).isEqualTo(CheckpointingSubscriber.State.STOPPED);
        assertThat(subscriber.failure()).isEmpty();
        assertThat(attempts).hasValue(1);
        assertThat(ReadModel.appliedCount(support.database)).isEqualTo(1);
        assertThat(committed(group)).isEqualTo(Map.of(new TopicPartition(topic, 0), 1L));
    }

    private static Map<TopicPartition, Long> committed(String group) {
        Map<TopicPartition, Long> offsets = new java.util.HashMap<>();
        ConsumerTestSupport.committedOffsets(group).forEach((partition, offset) -> offsets.put(partition, offset.offset()));
        return offsets;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        assertThat(header).as("header %s", name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
