package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class TopicManagerTest {

    @Test
    void aBrokerFencedOrNotAnsweringIsAwayAndARefusalIsNot() {
        assertThat(TopicManager.kafkaAway(new InvalidReplicationFactorException(
                "Unable to replicate the partition 1 time(s): All brokers are currently fenced."))).isTrue();
        assertThat(TopicManager.kafkaAway(new TimeoutException("Timed out waiting for a node assignment"))).isTrue();
        assertThat(TopicManager.kafkaAway(new InvalidReplicationFactorException(
                "Replication factor: 3 larger than available brokers: 1."))).isFalse();
        assertThat(TopicManager.kafkaAway(new TopicAuthorizationException(Set.of("eventstore.game")))).isFalse();
    }
}
