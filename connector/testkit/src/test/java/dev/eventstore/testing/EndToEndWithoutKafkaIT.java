package dev.eventstore.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.eventstore.testing.scenarios.EndToEndWithoutKafka;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The kit alone has no Kafka: asking for the end-to-end mode says which artifact to add. */
class EndToEndWithoutKafkaIT {

    @Test
    void theEndToEndModeNamesItsArtifact() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(EndToEndWithoutKafka.class))
                .execute()
                .containerEvents()
                .assertThatEvents()
                .haveExactly(1, event(container(EndToEndWithoutKafka.class), finishedWithFailure(
                        message("the end-to-end mode needs dev.eventstore:eventstore-test-kafka in test scope"))));
    }
}
