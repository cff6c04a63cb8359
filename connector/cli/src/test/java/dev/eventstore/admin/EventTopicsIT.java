package dev.eventstore.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Verify's two reads of the event topics, the second after waiting for the bridge: reading to an
 * end taken earlier and then on to a later end reads every record once (records that landed after
 * the first end and came in the same fetch are read by the second read), and a topic created
 * between the two reads is read from its beginning.
 */
class EventTopicsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void recordsFetchedPastAnEndAreReadByTheNextRead() throws Exception {
        String topic = createWith(10);
        TopicPartition partition = new TopicPartition(topic, 0);

        List<String> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = TestKafka.consumer()) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            // An end taken before the last four records landed; one fetch brings all ten.
            EventTopics.readTo(consumer, Map.of(partition, 6L), r -> read.add(value(r)), TIMEOUT);
            assertThat(read).containsExactly("v0", "v1", "v2", "v3", "v4", "v5");
            assertThat(consumer.position(partition)).isEqualTo(6L);

            EventTopics.readTo(consumer, consumer.endOffsets(List.of(partition)), r -> read.add(value(r)), TIMEOUT);
        }
        assertThat(read).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    }

    @Test
    void aTopicCreatedAfterTheFirstReadIsReadFromItsBeginningAndTheOthersReadOn() throws Exception {
        String first = createWith(3);
        List<String> read = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = TestKafka.consumer()) {
            List<TopicPartition> partitions = EventTopics.partitions(consumer, List.of(first));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            EventTopics.readTo(consumer, consumer.endOffsets(partitions), r -> read.add(value(r)), TIMEOUT);
            String second = createWith(2);
            produce(first, 3, 4);

            partitions = EventTopics.assignNew(consumer, List.of(first, second));
            assertThat(partitions).containsExactlyInAnyOrder(new TopicPartition(first, 0), new TopicPartition(second, 0));
            EventTopics.readTo(consumer, consumer.endOffsets(partitions), r -> read.add(r.topic().equals(first)
                    ? value(r) : "second " + value(r)), TIMEOUT);
        }
        assertThat(read).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "second v0", "second v1");
    }

    /** A new topic of one partition holding records v0 to v(count-1). */
    private static String createWith(int count) throws Exception {
        String topic = "event-topics-it-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        produce(topic, 0, count);
        return topic;
    }

    /** Records v(from) to v(to-1), each acknowledged before the next is sent. */
    private static void produce(String topic, int from, int to) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                TestKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static String value(ConsumerRecord<String, byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }
}
