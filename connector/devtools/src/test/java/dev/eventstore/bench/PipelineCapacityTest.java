package dev.eventstore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PipelineCapacityTest {

    private static final Duration WINDOW = Duration.ofSeconds(5);

    @Test
    void aBacklogThatHoldsStillIsBounded() {
        PipelineCapacity.Step step = new PipelineCapacity.Step(10_000, 9_990, 800, 900, true, WINDOW);
        assertThat(step.loadReached()).isTrue();
        assertThat(step.bounded()).isTrue();
    }

    @Test
    void aBacklogGrowingByMoreThanAQuarterSecondOfEventsIsNot() {
        PipelineCapacity.Step step = new PipelineCapacity.Step(10_000, 10_000, 800, 800 + 2_600, true, WINDOW);
        assertThat(step.bounded()).isFalse();
        assertThat(step.describe()).isEqualTo("at 10,000 the backlog grew by 2,600 events in 5 s");
    }

    @Test
    void aBacklogNotReceivedInTheEndIsNotBoundedWhateverItsSamples() {
        PipelineCapacity.Step step = new PipelineCapacity.Step(10_000, 10_000, 800, 800, false, WINDOW);
        assertThat(step.bounded()).isFalse();
        assertThat(step.describe()).isEqualTo("at 10,000 the backlog was not received within 30 s");
    }

    @Test
    void aLoadShortOfTheRateJudgesNothing() {
        PipelineCapacity.Step step = new PipelineCapacity.Step(20_000, 15_000, 0, 0, true, WINDOW);
        assertThat(step.loadReached()).isFalse();
        assertThat(step.describe()).isEqualTo("at 20,000 the load reached only 75 %");
    }
}
