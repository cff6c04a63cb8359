package dev.eventstore.admin;

import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.connect.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** The event topics of a deployment, and reading them from the beginning to a fixed end. */
final class EventTopics {

    private EventTopics() {
    }

    /** Event topics: {@code <prefix>.*} (or the single topic), never the dead-letter topic. */
    static Set<String> list(Admin admin, BridgeConfig config, String category) throws Exception {
        if ("single".equalsIgnoreCase(config.getString("topic.mode"))) {
            return Set.of(config.getString("topic.single.name"));
        }
        if (category != null) {
            String topic = TopicNames.categoryTopic(config.topicPrefix(), category);
            Set<String> all = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            return all.contains(topic) ? Set.of(topic) : Set.of();
        }
        Set<String> topics = new TreeSet<>();
        for (String topic : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
            if (topic.startsWith(config.topicPrefix() + ".") && !topic.equals(config.deadLetterTopic())) {
                topics.add(topic);
            }
        }
        return topics;
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos != null) {
                infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
        }
        return partitions;
    }

    /**
     * Adds to the consumer's assignment the partitions of {@code topics} it does not have yet
     * (topics or partitions created since it was assigned), to be read from their beginning; the
     * partitions it has keep their positions. Returns the whole assignment.
     */
    static List<TopicPartition> assignNew(KafkaConsumer<?, ?> consumer, Collection<String> topics) {
        Set<TopicPartition> assigned = consumer.assignment();
        List<TopicPartition> added = new ArrayList<>();
        for (TopicPartition partition : partitions(consumer, topics)) {
            if (!assigned.contains(partition)) {
                added.add(partition);
            }
        }
        List<TopicPartition> all = new ArrayList<>(assigned);
        if (added.isEmpty()) {
            return all;
        }
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : assigned) {
            positions.put(partition, consumer.position(partition));
        }
        all.addAll(added);
        consumer.assign(all);
        for (Map.Entry<TopicPartition, Long> position : positions.entrySet()) {
            consumer.seek(position.getKey(), position.getValue());
        }
        consumer.seekToBeginning(added);
        return all;
    }

    /**
     * Reads every record from the consumer's current positions up to {@code end} (exclusive),
     * partition by partition in offset order; fails after {@code timeout}. It leaves each partition
     * positioned at its end: a poll may fetch records past the end (they landed after the end was
     * taken), and those are read by the next call, which reads on to a later end.
     */
    static long readTo(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end,
                       Consumer<ConsumerRecord<String, byte[]>> each, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long count = 0;
        Set<TopicPartition> open = new java.util.HashSet<>();
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                open.add(e.getKey());
            }
        }
        while (!open.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading Kafka took longer than " + timeout + "; " + open.size()
                        + " partitions not read to the end");
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                Long stop = end.get(partition);
                if (stop != null && record.offset() < stop) {
                    each.accept(record);
                    count++;
                }
            }
            open.removeIf(p -> consumer.position(p) >= end.get(p));
        }
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) > e.getValue()) {
                consumer.seek(e.getKey(), e.getValue());
            }
        }
        return count;
    }
}
