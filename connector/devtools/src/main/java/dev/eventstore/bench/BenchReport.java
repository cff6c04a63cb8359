package dev.eventstore.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one run measured: the facts about the machine and software (in the order they are
 * printed), the rows with their ratios to our own row of the same workload, and the goals.
 */
final class BenchReport {

    private final String command;
    private final Map<String, String> environment;
    private final List<ResultRow> rows;
    private final List<Goal> goals;

    BenchReport(String command, Map<String, String> environment, List<ResultRow> measured, List<Goal> goals) {
        this.command = command;
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        this.rows = List.copyOf(withRatios(measured));
        this.goals = List.copyOf(goals);
    }

    /**
     * Each row that is not ours gets ours ÷ this on the workload's basis, computed from our row of
     * the same workload in the same run; rows of a workload without a measured row of ours, and
     * rows that did not run, get none.
     */
    static List<ResultRow> withRatios(List<ResultRow> rows) {
        List<ResultRow> result = new ArrayList<>(rows.size());
        for (ResultRow row : rows) {
            if (row.role() == ResultRow.Role.OURS || !row.ran()) {
                result.add(row.withRatio(null));
                continue;
            }
            Optional<ResultRow> ours = ours(rows, row.workloadId());
            result.add(row.withRatio(ours.map(o -> ratio(o, row)).orElse(null)));
        }
        return result;
    }

    private static Double ratio(ResultRow ours, ResultRow other) {
        return switch (other.basis()) {
            case THROUGHPUT -> divide(ours.eventsPerSecond(), other.eventsPerSecond());
            case P99_LATENCY -> ours.latency() == null || other.latency() == null ? null
                    : divide(ours.latency().p99Ms(), other.latency().p99Ms());
        };
    }

    private static Double divide(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b <= 0) {
            return null;
        }
        return a / b;
    }

    static Optional<ResultRow> ours(List<ResultRow> rows, String workloadId) {
        return rows.stream()
                .filter(r -> r.workloadId().equals(workloadId) && r.role() == ResultRow.Role.OURS && r.ran())
                .findFirst();
    }

    String command() {
        return command;
    }

    Map<String, String> environment() {
        return environment;
    }

    List<ResultRow> rows() {
        return rows;
    }

    List<Goal> goals() {
        return goals;
    }

    Optional<ResultRow> row(String workloadId, String subjectId) {
        return rows.stream().filter(r -> r.workloadId().equals(workloadId) && r.subjectId().equals(subjectId)).findFirst();
    }

    long failures() {
        return rows.stream().filter(r -> r.status() == ResultRow.Status.FAILED).count();
    }
}
