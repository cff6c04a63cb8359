package dev.eventstore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static ResultRow row(String workload, String subject, ResultRow.Role role, ResultRow.Basis basis, double rate,
                                 double p99) {
        return ResultRow.measured(workload, workload, subject, subject, role, basis, rate, new Latency(1, p99, p99, p99, 10), "");
    }

    @Test
    void ratiosAreOursDividedByThisRowOfTheSameWorkload() {
        List<ResultRow> rows = BenchReport.withRatios(List.of(
                row("a", "eventstore", ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT, 800, 5),
                row("a", "raw", ResultRow.Role.CEILING, ResultRow.Basis.THROUGHPUT, 1000, 1),
                row("a", "peer", ResultRow.Role.PEER, ResultRow.Basis.THROUGHPUT, 200, 9),
                row("b", "raw", ResultRow.Role.CEILING, ResultRow.Basis.THROUGHPUT, 1000, 1),
                row("c", "eventstore", ResultRow.Role.OURS, ResultRow.Basis.P99_LATENCY, 1000, 20),
                row("c", "defaults", ResultRow.Role.PEER, ResultRow.Basis.P99_LATENCY, 1000, 500)));

        assertThat(rows.get(0).ratio()).as("our own row").isNull();
        assertThat(rows.get(1).ratio()).isEqualTo(0.8);
        assertThat(rows.get(2).ratio()).isEqualTo(4.0);
        assertThat(rows.get(3).ratio()).as("no row of ours in workload b").isNull();
        assertThat(rows.get(5).ratio()).as("p99: 20 / 500").isEqualTo(0.04);
    }

    @Test
    void rowsThatDidNotRunGetNoRatioNorGiveOne() {
        List<ResultRow> rows = BenchReport.withRatios(List.of(
                ResultRow.failed("a", "a", "eventstore", "eventstore", ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT, "boom"),
                row("a", "raw", ResultRow.Role.CEILING, ResultRow.Basis.THROUGHPUT, 1000, 1),
                row("b", "eventstore", ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT, 1000, 1),
                ResultRow.notRun("b", "b", "peer", "peer", ResultRow.Role.PEER, ResultRow.Basis.THROUGHPUT, "not run")));

        assertThat(rows.get(1).ratio()).isNull();
        assertThat(rows.get(3).ratio()).isNull();
        BenchReport report = new BenchReport("bench", java.util.Map.of(), rows, List.of());
        assertThat(report.failures()).isEqualTo(1);
        assertThat(report.row("b", "peer")).get().extracting(ResultRow::status).isEqualTo(ResultRow.Status.SKIPPED);
    }
}
