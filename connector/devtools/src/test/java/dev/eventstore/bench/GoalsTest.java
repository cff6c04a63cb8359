package dev.eventstore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GoalsTest {

    private static ResultRow row(String workload, String subject, ResultRow.Role role, ResultRow.Basis basis, double rate,
                                 Latency latency) {
        return ResultRow.measured(workload, workload, subject, subject, role, basis, rate, latency, "");
    }

    private static Map<String, Goal> evaluate(List<ResultRow> rows, BenchSettings settings, Duration elapsed) {
        List<Goal> goals = Goals.evaluate(BenchReport.withRatios(rows), new Goals.RunFacts(settings, elapsed, 512L << 20));
        return goals.stream().collect(Collectors.toMap(Goal::goal, Function.identity()));
    }

    private static Goal find(Map<String, Goal> goals, String start) {
        return goals.entrySet().stream().filter(e -> e.getKey().startsWith(start)).findFirst().orElseThrow().getValue();
    }

    @Test
    void judgesEachGoalOnTheRowsOfTheSameRun() {
        ResultRow.Basis t = ResultRow.Basis.THROUGHPUT;
        List<ResultRow> rows = new ArrayList<>(List.of(
                row("append.batch.w1", "eventstore", ResultRow.Role.OURS, t, 900, null),
                row("append.batch.w1", "raw", ResultRow.Role.CEILING, t, 1000, null),
                row("append.batch.w8", "eventstore", ResultRow.Role.OURS, t, 700, null),
                row("append.batch.w8", "raw", ResultRow.Role.CEILING, t, 1000, null),
                row("append.single.w8", "eventstore", ResultRow.Role.OURS, t, 3000, null),
                row("append.single.w8", "raw", ResultRow.Role.CEILING, t, 3000, null),
                row("append.single.w8", "message-db", ResultRow.Role.PEER, t, 1000, null),
                row("read.stream", "eventstore", ResultRow.Role.OURS, t, 250_000, null),
                row("pipeline.latency.r1000", "eventstore", ResultRow.Role.OURS, ResultRow.Basis.P99_LATENCY, 1000,
                        new Latency(8, 26, 30, 40, 100)),
                row("pipeline.drain.n100000", "eventstore", ResultRow.Role.OURS, t, 45_000, null),
                row("replay.n1000000", "eventstore", ResultRow.Role.OURS, t, 150_000, null)));
        BenchSettings settings = BenchSettings.defaults(BenchSettings.Suite.ALL, BenchSettings.Profile.DEFAULT);

        Map<String, Goal> goals = evaluate(rows, settings, Duration.ofMinutes(14));

        Goal batches = find(goals, "100-event appends");
        assertThat(batches.verdict()).as("8 writers at 0.70").isEqualTo(Goal.Verdict.NOT_MET);
        assertThat(batches.measured()).isEqualTo("1 writer 0.90, 8 writers 0.70");
        assertThat(find(goals, "single-event appends, 8 writers, at least 0.8").verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(find(goals, "single-event appends, 8 writers, at least 3 times").verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(find(goals, "reading a 1,000-event stream").verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(find(goals, "pipeline at 1,000 events/s: p50").verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(find(goals, "pipeline at 1,000 events/s: p99").verdict()).isEqualTo(Goal.Verdict.NOT_MET);
        assertThat(find(goals, "pipeline at 5,000").verdict()).isEqualTo(Goal.Verdict.NOT_MEASURED);
        assertThat(find(goals, "backlog drain").verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(find(goals, "the bridge keeps").verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(find(goals, "replay").verdict()).isEqualTo(Goal.Verdict.NOT_MET);
        assertThat(find(goals, "replay").measured()).isEqualTo("150,000 events/s");
        assertThat(find(goals, "republish").verdict()).as("no republish row").isEqualTo(Goal.Verdict.NOT_MEASURED);
        assertThat(find(goals, "appends with 10,000,000").verdict()).isEqualTo(Goal.Verdict.NOT_MEASURED);
        assertThat(find(goals, "bench all at default sizes").verdict()).isEqualTo(Goal.Verdict.MET);
    }

    @Test
    void judgesOursAgainstEveryPeerAndDebeziumAlone() {
        ResultRow.Basis t = ResultRow.Basis.THROUGHPUT;
        ResultRow.Basis p99 = ResultRow.Basis.P99_LATENCY;
        List<ResultRow> rows = List.of(
                row("pipeline.drain.n100000", "eventstore", ResultRow.Role.OURS, t, 23_000, null),
                row("pipeline.drain.n100000", "connect-router", ResultRow.Role.PEER, t, 18_000, null),
                row("pipeline.drain.n100000", "connect-ours", ResultRow.Role.PEER, t, 16_000, null),
                row("pipeline.drain.n100000", "capture-only", ResultRow.Role.REFERENCE, t, 28_000, null),
                row("pipeline.latency.r1000", "eventstore", ResultRow.Role.OURS, p99, 1000, new Latency(10, 20, 30, 40, 50)),
                row("pipeline.latency.r1000", "connect-router", ResultRow.Role.PEER, p99, 1000, new Latency(9, 30, 40, 50, 60)),
                row("process.idle", "eventstore-run", ResultRow.Role.OURS, t, 0, null)
                        .withNote("process CPU 1.50 % of a core (0.90 s of CPU in 60 s)"));
        BenchSettings settings = BenchSettings.defaults(BenchSettings.Suite.PIPELINE, BenchSettings.Profile.DEFAULT);

        Map<String, Goal> goals = evaluate(rows, settings, Duration.ofMinutes(10));

        assertThat(find(goals, "drain of 100,000 events: ahead of every peer").verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(find(goals, "drain of 100,000 events: at least 0.9 of Debezium alone").verdict())
                .as("23,000 is 0.82 of 28,000").isEqualTo(Goal.Verdict.NOT_MET);
        assertThat(find(goals, "latency at 1,000 events/s: p50 below every peer").verdict()).isEqualTo(Goal.Verdict.NOT_MET);
        assertThat(find(goals, "latency at 1,000 events/s: p99 below every peer").verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(find(goals, "idle:").verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(find(goals, "eventstore run in its own process").verdict()).isEqualTo(Goal.Verdict.NOT_MEASURED);
    }

    @Test
    void aGoalWhosePeerDidNotRunIsNotMeasured() {
        ResultRow.Basis t = ResultRow.Basis.THROUGHPUT;
        List<ResultRow> rows = List.of(
                row("append.single.w8", "eventstore", ResultRow.Role.OURS, t, 3000, null),
                ResultRow.notRun("append.single.w8", "w", "message-db", "message-db", ResultRow.Role.PEER, t,
                        "not run: pass --peers"));
        BenchSettings quick = BenchSettings.defaults(BenchSettings.Suite.ALL, BenchSettings.Profile.QUICK);

        Map<String, Goal> goals = evaluate(rows, quick, Duration.ofMinutes(1));

        Goal peer = find(goals, "single-event appends, 8 writers, at least 3 times");
        assertThat(peer.verdict()).isEqualTo(Goal.Verdict.NOT_MEASURED);
        assertThat(peer.measured()).contains("pass --peers");
        assertThat(find(goals, "bench all at default sizes").verdict()).isEqualTo(Goal.Verdict.NOT_MEASURED);
    }

    @Test
    void theScaleGoalComparesTheFullStoreWithTheEmptyOne() {
        ResultRow.Basis t = ResultRow.Basis.THROUGHPUT;
        List<ResultRow> rows = List.of(
                row("scale.append.batch", "stored", ResultRow.Role.OURS, t, 850, null),
                row("scale.append.batch", "empty", ResultRow.Role.REFERENCE, t, 1000, null),
                row("scale.append.single", "stored", ResultRow.Role.OURS, t, 790, null),
                row("scale.append.single", "empty", ResultRow.Role.REFERENCE, t, 1000, null));
        BenchSettings full = BenchSettings.defaults(BenchSettings.Suite.ALL, BenchSettings.Profile.FULL);

        Goal scale = find(evaluate(rows, full, Duration.ofMinutes(40)), "appends with 10,000,000");

        assertThat(scale.verdict()).isEqualTo(Goal.Verdict.NOT_MET);
        assertThat(scale.measured()).isEqualTo("batches 0.85 of empty, single events 0.79 of empty");
    }

    /** Replay is judged on one consumer per core when that ran; the one-consumer figure stays beside it. */
    @Test
    void replayIsJudgedOnOneConsumerPerCore() {
        ResultRow.Basis t = ResultRow.Basis.THROUGHPUT;
        List<ResultRow> rows = List.of(
                row("replay.n1000000", "eventstore", ResultRow.Role.OURS, t, 150_000, null),
                row("replay.n1000000", "raw-consumer", ResultRow.Role.CEILING, t, 300_000, null),
                row("replay.n1000000.c2", "eventstore", ResultRow.Role.OURS, t, 210_000, null),
                row("replay.n1000000.c2", "raw-consumer", ResultRow.Role.CEILING, t, 400_000, null));
        BenchSettings settings = BenchSettings.defaults(BenchSettings.Suite.REPLAY, BenchSettings.Profile.DEFAULT);

        Goal replay = find(evaluate(rows, settings, Duration.ofMinutes(2)), "replay");

        assertThat(replay.verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(replay.measured()).isEqualTo("210,000 events/s with 2 consumers, 150,000 with 1");
        assertThat(find(evaluate(rows.subList(0, 3), settings, Duration.ofMinutes(2)), "replay").measured())
                .as("the raw row of the per-core run is no measurement of ours").isEqualTo("210,000 events/s with 2 consumers, 150,000 with 1");
        assertThat(ReplayWorkloads.consumersOf("replay.n1000000.c12")).isEqualTo(12);
        assertThat(ReplayWorkloads.consumersOf("replay.n1000000")).isEqualTo(1);
    }

    @Test
    void readYourWritesIsJudgedOnTheWaitsAsTheCallerSawThem() {
        ResultRow.Basis p99 = ResultRow.Basis.P99_LATENCY;
        List<ResultRow> rows = List.of(
                row("ryw.published.r1000", "eventstore-await-published", ResultRow.Role.OURS, p99, 1000,
                        new Latency(15, 40, 45, 50, 2000)).withNote("queries per wait 2.10 (4,200 queries, 2,000 waits); x"),
                row("ryw.consumed.r1000", "eventstore-await-consumed", ResultRow.Role.OURS, p99, 1000,
                        new Latency(30, 120, 130, 140, 2000)).withNote("queries per wait 3.50 (7,000 queries, 2,000 waits); x"),
                ResultRow.failed("ryw.waiters.consumed.n1000", "w", "eventstore-await-consumed", "s", ResultRow.Role.OURS, p99,
                        "3 of 1,000 waits failed: AwaitTimeoutException"));
        BenchSettings settings = BenchSettings.defaults(BenchSettings.Suite.PIPELINE, BenchSettings.Profile.DEFAULT);

        Map<String, Goal> goals = evaluate(rows, settings, Duration.ofMinutes(5));

        Goal published = find(goals, "read your writes at 1,000 events/s: awaitPublished");
        assertThat(published.verdict()).isEqualTo(Goal.Verdict.MET);
        assertThat(published.measured()).isEqualTo("p99 40.0 ms, 2.10 queries per wait");
        assertThat(find(goals, "read your writes at 1,000 events/s: awaitConsumed").verdict()).isEqualTo(Goal.Verdict.NOT_MET);
        Goal waiters = find(goals, "1,000 callers at once");
        assertThat(waiters.verdict()).isEqualTo(Goal.Verdict.NOT_MEASURED);
        assertThat(waiters.measured()).contains("3 of 1,000 waits failed");
        assertThat(ReadYourWrites.queriesPerWait(rows.get(1))).hasValue(3.5);
    }
}
