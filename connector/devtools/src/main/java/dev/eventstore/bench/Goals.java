package dev.eventstore.bench;

import dev.eventstore.cli.Progress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The product's speed goals, judged on one run's rows: met, not met, or not measured
 * (by this run, or at all yet). Ratios are taken from the rows, so a goal is judged on figures
 * measured side by side in the same run.
 */
final class Goals {

    /** What the run knows about itself beyond its rows. */
    record RunFacts(BenchSettings settings, Duration elapsed, long maxHeapBytes) {
    }

    private Goals() {
    }

    static List<Goal> evaluate(List<ResultRow> rows, RunFacts facts) {
        List<Goal> goals = new ArrayList<>();
        goals.add(ratioGoal(rows, "100-event appends at least 0.8 of the raw batched INSERT",
                List.of(AppendWorkloads.BATCH + 1, AppendWorkloads.BATCH + 8), "raw", 0.8, true, w -> writersLabel(w)));
        goals.add(ratioGoal(rows, "single-event appends, 8 writers, at least 0.8 of raw single-row INSERTs",
                List.of(AppendWorkloads.SINGLE + 8), "raw", 0.8, true, w -> "8 writers"));
        goals.add(ratioGoal(rows, "single-event appends, 8 writers, at least 3 times message-db on one category",
                List.of(AppendWorkloads.SINGLE + 8), "message-db", 3.0, true, w -> "8 writers"));
        goals.add(rateGoal(rows, "reading a 1,000-event stream at least 200,000 events/s into typed events",
                ReadWorkloads.STREAM, 200_000));
        goals.add(latencyGoal(rows, "pipeline at 1,000 events/s: p50 at most 10 ms", PipelineWorkloads.LATENCY + 1000,
                10, Latency::p50Ms, "p50"));
        goals.add(latencyGoal(rows, "pipeline at 1,000 events/s: p99 at most 25 ms", PipelineWorkloads.LATENCY + 1000,
                25, Latency::p99Ms, "p99"));
        goals.add(latencyGoal(rows, "pipeline at 5,000 events/s: p99 at most 50 ms", PipelineWorkloads.LATENCY + 5000,
                50, Latency::p99Ms, "p99"));
        goals.add(rateGoal(rows, "backlog drain of 100,000 events at least 40,000 events/s",
                PipelineWorkloads.DRAIN + 100_000, 40_000));
        goals.add(ratioGoal(rows, "drain of 100,000 events: at least 0.9 of Debezium alone",
                List.of(PipelineWorkloads.DRAIN + 100_000), "capture-only", 0.9, true, w -> "ours"));
        goals.add(aheadOfPeers(rows, "drain of 100,000 events: ahead of every peer",
                PipelineWorkloads.DRAIN + 100_000, ResultRow::eventsPerSecond, true, " events/s",
                ReportRenderer::eventsPerSecond));
        goals.add(aheadOfPeers(rows, "latency at 1,000 events/s: p50 below every peer", PipelineWorkloads.LATENCY + 1000,
                r -> r.latency() == null ? null : r.latency().p50Ms(), false, " ms", ReportRenderer::millis));
        goals.add(aheadOfPeers(rows, "latency at 1,000 events/s: p99 below every peer", PipelineWorkloads.LATENCY + 1000,
                r -> r.latency() == null ? null : r.latency().p99Ms(), false, " ms", ReportRenderer::millis));
        goals.add(aheadOfPeers(rows, "highest rate with bounded lag: at least every peer's", PipelineCapacity.ID,
                ResultRow::eventsPerSecond, true, true, " events/s", ReportRenderer::eventsPerSecond));
        goals.add(waitGoal(rows, "read your writes at 1,000 events/s: awaitPublished p99 at most 50 ms after the append returns",
                ReadYourWrites.PUBLISHED + ReadYourWrites.RATE, 50, Latency::p99Ms, "p99"));
        goals.add(waitGoal(rows, "read your writes at 1,000 events/s: awaitConsumed p99 at most 100 ms after the append returns",
                ReadYourWrites.CONSUMED + ReadYourWrites.RATE, 100, Latency::p99Ms, "p99"));
        goals.add(waitGoal(rows, "1,000 callers at once: every awaitConsumed returns within 1 s of their release",
                ReadYourWrites.WAITERS_CONSUMED + 1000, 1000, Latency::maxMs, "the last"));
        goals.add(idleGoal(rows));
        goals.add(processDrainGoal(rows));
        goals.add(heapGoal(rows, facts));
        goals.add(replayGoal(rows));
        goals.add(rateGoal(rows, "republish 1,000,000 events at least 50,000 events/s",
                RepublishWorkload.REPUBLISH + 1_000_000, 50_000));
        goals.add(scaleGoal(rows));
        goals.add(timeGoal(facts));
        return goals;
    }

    private static String writersLabel(String workloadId) {
        String writers = workloadId.substring(workloadId.lastIndexOf('w') + 1);
        return writers + (writers.equals("1") ? " writer" : " writers");
    }

    /** Every listed workload's ratio (ours ÷ {@code subjectId}) at least {@code target}. */
    private static Goal ratioGoal(List<ResultRow> rows, String goal, List<String> workloads,
                                  String subjectId, double target, boolean atLeast, Function<String, String> label) {
        List<String> parts = new ArrayList<>();
        boolean met = true;
        for (String workload : workloads) {
            Optional<ResultRow> row = find(rows, workload, subjectId);
            if (row.isEmpty() || row.get().ratio() == null) {
                String why = row.map(r -> r.ran() ? "our row did not run" : r.note()).orElse("not run");
                return new Goal(goal, Goal.Verdict.NOT_MEASURED, label.apply(workload) + ": " + why);
            }
            double ratio = row.get().ratio();
            met &= atLeast ? ratio >= target : ratio <= target;
            parts.add(label.apply(workload) + " " + ReportRenderer.ratio(ratio));
        }
        return new Goal(goal, met ? Goal.Verdict.MET : Goal.Verdict.NOT_MET, String.join(", ", parts));
    }

    private static Goal rateGoal(List<ResultRow> rows, String goal, String workload, double target) {
        Optional<ResultRow> ours = BenchReport.ours(rows, workload);
        if (ours.isEmpty()) {
            return new Goal(goal, Goal.Verdict.NOT_MEASURED, "not run in this run");
        }
        double value = ours.get().eventsPerSecond();
        return new Goal(goal, value >= target ? Goal.Verdict.MET : Goal.Verdict.NOT_MET,
                ReportRenderer.eventsPerSecond(value) + " events/s");
    }

    /**
     * Replay is judged on one consumer per core, the group a replay on this machine would run
     * (Kafka consumers scale by partitions); the one-consumer figure is reported beside it.
     */
    private static Goal replayGoal(List<ResultRow> rows) {
        String goal = "replay 1,000,000 events at least 200,000 events/s (deserializing consumers, 1 per core)";
        int events = 1_000_000;
        Optional<ResultRow> single = BenchReport.ours(rows, ReplayWorkloads.workloadId(events, 1));
        Optional<ResultRow> perCore = rows.stream()
                .filter(r -> r.role() == ResultRow.Role.OURS && r.ran()
                        && r.workloadId().startsWith(ReplayWorkloads.REPLAY + events + ReplayWorkloads.PER_CORE))
                .findFirst();
        Optional<ResultRow> judged = perCore.isPresent() ? perCore : single;
        if (judged.isEmpty()) {
            return new Goal(goal, Goal.Verdict.NOT_MEASURED, "not run in this run");
        }
        double value = judged.get().eventsPerSecond();
        String measured = ReportRenderer.eventsPerSecond(value) + " events/s";
        if (perCore.isPresent()) {
            measured += " with " + ReplayWorkloads.consumersOf(perCore.get().workloadId()) + " consumers"
                    + single.map(r -> ", " + ReportRenderer.eventsPerSecond(r.eventsPerSecond()) + " with 1").orElse("");
        }
        return new Goal(goal, value >= 200_000 ? Goal.Verdict.MET : Goal.Verdict.NOT_MET, measured);
    }

    private static Goal latencyGoal(List<ResultRow> rows, String goal, String workload, double targetMs,
                                    Function<Latency, Double> percentile, String name) {
        Optional<ResultRow> ours = BenchReport.ours(rows, workload);
        if (ours.isEmpty() || ours.get().latency() == null) {
            return new Goal(goal, Goal.Verdict.NOT_MEASURED, "not run in this run");
        }
        double value = percentile.apply(ours.get().latency());
        return new Goal(goal, value <= targetMs ? Goal.Verdict.MET : Goal.Verdict.NOT_MET,
                name + " " + ReportRenderer.millis(value) + " ms at " + ReportRenderer.eventsPerSecond(ours.get().eventsPerSecond())
                        + " events/s");
    }

    /** A read-your-writes row's percentile at most {@code targetMs}; its queries per wait beside. */
    private static Goal waitGoal(List<ResultRow> rows, String goal, String workload, double targetMs,
                                 Function<Latency, Double> percentile, String name) {
        Optional<ResultRow> ours = rows.stream()
                .filter(r -> r.workloadId().equals(workload) && r.role() == ResultRow.Role.OURS).findFirst();
        if (ours.isEmpty() || !ours.get().ran() || ours.get().latency() == null) {
            return new Goal(goal, Goal.Verdict.NOT_MEASURED, ours.map(r -> "did not run: " + r.note()).orElse("not run in this run"));
        }
        double value = percentile.apply(ours.get().latency());
        return new Goal(goal, value <= targetMs ? Goal.Verdict.MET : Goal.Verdict.NOT_MET,
                name + " " + ReportRenderer.millis(value) + " ms" + ReadYourWrites.queriesPerWait(ours.get())
                        .map(q -> String.format(Locale.ROOT, ", %.2f queries per wait", q)).orElse(""));
    }

    private static Goal heapGoal(List<ResultRow> rows, RunFacts facts) {
        String goal = "the bridge keeps these figures in -Xmx512m";
        boolean pipelineRan = rows.stream().anyMatch(r -> r.workloadId().startsWith("pipeline.") && r.role() == ResultRow.Role.OURS
                && r.ran());
        if (!pipelineRan) {
            return new Goal(goal, Goal.Verdict.NOT_MEASURED, "no pipeline row of ours ran");
        }
        long mib = facts.maxHeapBytes() / (1024 * 1024);
        boolean met = facts.maxHeapBytes() <= 512L * 1024 * 1024 + 64L * 1024 * 1024;
        return new Goal(goal, met ? Goal.Verdict.MET : Goal.Verdict.NOT_MEASURED,
                met ? "max heap " + mib + " MiB, shared with the embedded broker and every workload"
                        : "this run's max heap was " + mib + " MiB; run with EVENTSTORE_JAVA_OPTS=-Xmx512m to judge");
    }

    private static Goal scaleGoal(List<ResultRow> rows) {
        String goal = "appends with 10,000,000 events stored within 20 % of the empty store";
        List<String> parts = new ArrayList<>();
        boolean met = true;
        for (String workload : List.of(ScaleWorkload.APPEND_BATCH, ScaleWorkload.APPEND_SINGLE)) {
            Optional<ResultRow> empty = find(rows, workload, "empty");
            if (empty.isEmpty() || empty.get().ratio() == null) {
                return new Goal(goal, Goal.Verdict.NOT_MEASURED, "not run: --full runs it");
            }
            double ratio = empty.get().ratio();
            met &= ratio >= 0.8;
            parts.add((workload.equals(ScaleWorkload.APPEND_BATCH) ? "batches " : "single events ")
                    + ReportRenderer.ratio(ratio) + " of empty");
        }
        return new Goal(goal, met ? Goal.Verdict.MET : Goal.Verdict.NOT_MET, String.join(", ", parts));
    }

    private static Goal timeGoal(RunFacts facts) {
        String goal = "bench all at default sizes finishes within 15 minutes";
        BenchSettings settings = facts.settings();
        if (settings.suite() != BenchSettings.Suite.ALL || settings.profile() != BenchSettings.Profile.DEFAULT) {
            return new Goal(goal, Goal.Verdict.NOT_MEASURED, "this run is not bench all at default sizes");
        }
        boolean met = facts.elapsed().compareTo(Duration.ofMinutes(15)) <= 0;
        return new Goal(goal, met ? Goal.Verdict.MET : Goal.Verdict.NOT_MET,
                String.format(Locale.ROOT, "%s (minutes:seconds), servers' start included",
                        Progress.minutes(facts.elapsed().toNanos())));
    }

    private static Goal idleGoal(List<ResultRow> rows) {
        String goal = "idle: eventstore run uses at most 2 % of a core with no traffic (process CPU time, "
                + ProcessWorkloads.IDLE_SECONDS + " s)";
        Optional<ResultRow> ours = BenchReport.ours(rows, ProcessWorkloads.IDLE);
        Optional<Double> percent = ours.flatMap(ProcessWorkloads::cpuPercent);
        if (percent.isEmpty()) {
            return new Goal(goal, Goal.Verdict.NOT_MEASURED, ours.map(r -> "did not run: " + r.note()).orElse("not run in this run"));
        }
        String others = rows.stream().filter(r -> r.workloadId().equals(ProcessWorkloads.IDLE) && r.role() != ResultRow.Role.OURS)
                .map(r -> ProcessWorkloads.cpuPercent(r).map(p -> "; " + r.subject() + " " + ReportRenderer.millis(p) + " %").orElse(""))
                .reduce("", String::concat);
        return new Goal(goal, percent.get() <= 2.0 ? Goal.Verdict.MET : Goal.Verdict.NOT_MET,
                ReportRenderer.millis(percent.get()) + " % of a core" + others);
    }

    /** eventstore run in its own JVM at -Xmx256m drains at least 0.9 of the bridge inside the benchmark's JVM. */
    private static Goal processDrainGoal(List<ResultRow> rows) {
        String goal = "eventstore run in its own process with " + ProcessWorkloads.RUN_HEAP
                + " drains 100,000 events at least 0.9 as fast as the bridge in the benchmark's JVM";
        Optional<ResultRow> process = BenchReport.ours(rows, ProcessWorkloads.DRAIN + 100_000);
        Optional<ResultRow> inside = BenchReport.ours(rows, PipelineWorkloads.DRAIN + 100_000);
        if (process.isEmpty() || inside.isEmpty()) {
            return new Goal(goal, Goal.Verdict.NOT_MEASURED, process.map(r -> "did not run: " + r.note()).orElse("not run in this run"));
        }
        double ratio = process.get().eventsPerSecond() / inside.get().eventsPerSecond();
        return new Goal(goal, ratio >= 0.9 ? Goal.Verdict.MET : Goal.Verdict.NOT_MET,
                ReportRenderer.eventsPerSecond(process.get().eventsPerSecond()) + " events/s, "
                        + ReportRenderer.ratio(ratio) + " of " + ReportRenderer.eventsPerSecond(inside.get().eventsPerSecond()));
    }

    /** Ours better than every peer row of {@code workload} that ran: higher ({@code higher}) or lower. */
    private static Goal aheadOfPeers(List<ResultRow> rows, String goal, String workload, Function<ResultRow, Double> value,
                                     boolean higher, String unit, Function<Double, String> format) {
        return aheadOfPeers(rows, goal, workload, value, higher, false, unit, format);
    }

    /** {@code orEqual}: a tie meets the goal (a rate found in steps, where two subjects can stop at the same one). */
    private static Goal aheadOfPeers(List<ResultRow> rows, String goal, String workload, Function<ResultRow, Double> value,
                                     boolean higher, boolean orEqual, String unit, Function<Double, String> format) {
        Optional<ResultRow> ours = BenchReport.ours(rows, workload);
        if (ours.isEmpty() || value.apply(ours.get()) == null) {
            return new Goal(goal, Goal.Verdict.NOT_MEASURED, "not run in this run");
        }
        double mine = value.apply(ours.get());
        List<String> parts = new ArrayList<>();
        parts.add("ours " + format.apply(mine) + unit);
        boolean met = true;
        int peers = 0;
        for (ResultRow row : rows) {
            if (!row.workloadId().equals(workload) || row.role() != ResultRow.Role.PEER) {
                continue;
            }
            Double theirs = row.ran() ? value.apply(row) : null;
            if (theirs == null) {
                return new Goal(goal, Goal.Verdict.NOT_MEASURED, row.subject() + " did not run: " + row.note());
            }
            peers++;
            met &= orEqual && mine == theirs || (higher ? mine > theirs : mine < theirs);
            parts.add(row.subject() + " " + format.apply(theirs) + unit);
        }
        if (peers == 0) {
            return new Goal(goal, Goal.Verdict.NOT_MEASURED, "no peer ran in this run");
        }
        return new Goal(goal, met ? Goal.Verdict.MET : Goal.Verdict.NOT_MET, String.join("; ", parts));
    }

    private static Optional<ResultRow> find(List<ResultRow> rows, String workload, String subjectId) {
        return rows.stream().filter(r -> r.workloadId().equals(workload) && r.subjectId().equals(subjectId)).findFirst();
    }
}
