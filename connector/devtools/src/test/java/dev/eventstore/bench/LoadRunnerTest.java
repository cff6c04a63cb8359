package dev.eventstore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadRunnerTest {

    @Test
    void measuresOnlyTheWindowAfterTheWarmup() throws Exception {
        AtomicLong calls = new AtomicLong();
        LoadRunner.Outcome outcome = LoadRunner.run(2, Duration.ofMillis(100), Duration.ofMillis(300), Long.MAX_VALUE,
                w -> () -> {
                    calls.incrementAndGet();
                    Thread.sleep(2);
                    return 10;
                }, null);

        assertThat(outcome.failure()).isNull();
        assertThat(outcome.operations()).isPositive().isLessThan(calls.get());
        assertThat(outcome.events()).isEqualTo(outcome.operations() * 10);
        assertThat(outcome.seconds()).isBetween(0.25, 1.0);
        assertThat(outcome.latency().getValueAtPercentile(50)).as("microseconds").isGreaterThanOrEqualTo(1500);
        assertThat(outcome.eventsPerSecond()).isPositive();
    }

    @Test
    void everyWriterStopsAtItsCountWhateverTheDuration() throws Exception {
        AtomicLong calls = new AtomicLong();
        long started = System.nanoTime();
        LoadRunner.Outcome outcome = LoadRunner.run(3, Duration.ZERO, Duration.ofMinutes(10), 50,
                w -> () -> {
                    calls.incrementAndGet();
                    return 1;
                }, null);

        assertThat(calls.get()).isEqualTo(150);
        assertThat(outcome.operations()).isEqualTo(150);
        assertThat(System.nanoTime() - started).isLessThan(Duration.ofSeconds(30).toNanos());
    }

    @Test
    void aFailingOperationEndsTheCaseWithItsReason() throws Exception {
        LoadRunner.Outcome outcome = LoadRunner.run(2, Duration.ZERO, Duration.ofSeconds(30), Long.MAX_VALUE,
                w -> () -> {
                    throw new IllegalStateException("refused\nsecond line");
                }, null);

        assertThat(outcome.failure()).isEqualTo("IllegalStateException: refused");
    }

    @Test
    void theCatchUpWrapsToTheStreamsStartAfterItsLastPage() {
        assertThat(ReadWorkloads.next(1, 1000, 1000, 5000)).isEqualTo(1001);
        assertThat(ReadWorkloads.next(4001, 1000, 1000, 5000)).isEqualTo(1);
        assertThat(ReadWorkloads.next(4001, 999, 1000, 5000)).isEqualTo(1);
    }

    @Test
    void peersConflictsAndHeadersAreReadAsTheyComeBack() {
        assertThat(MessageDb.conflictVersion(new java.sql.SQLException(
                "ERROR: Wrong expected version: 4 (Stream: hot-c1s3, Stream Version: 7)"))).isEqualTo(8);
        assertThat(MessageDb.conflictVersion(new java.sql.SQLException("ERROR: relation does not exist"))).isEqualTo(-1);
        assertThat(BenchKafka.Receiver.parseId("123".getBytes())).isEqualTo(123);
        assertThat(BenchKafka.Receiver.parseId("\"123\"".getBytes())).isEqualTo(123);
    }
}
