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
 * Reading to an end taken earlier and then on to a later end reads every record once: records
 * that landed after the first end and came in the same fetch are read by the second call, as
 * verify reads again after waiting for the bridge.
 */
class EventTopicsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void recordsFetchedPastAnEndAreReadByTheNextRead() throws Exception {
        String topic = "event-topics-it-" + UUID.randomUUID();
        TopicPartition partition = new TopicPartition(topic, 0);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                TestKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }

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

    private static String value(ConsumerRecord<String, byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }
}
