package dev.eventstore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportRendererTest {

    private static final Latency LATENCY = new Latency(1.234, 12.34, 123.4, 1234.5, 1000);

    static BenchReport report() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("date", "2026-01-01T00:00:00Z");
        environment.put("machine", "2 cores");
        List<ResultRow> rows = List.of(
                ResultRow.measured("append.single.w8", "append single events, 8 writers", "eventstore", "eventstore append",
                        ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT, 4000, LATENCY, ""),
                ResultRow.measured("append.single.w8", "append single events, 8 writers", "raw", "raw single-row INSERT (ceiling)",
                        ResultRow.Role.CEILING, ResultRow.Basis.THROUGHPUT, 5000, LATENCY, "stream rows created before"),
                ResultRow.notRun("append.single.w8", "append single events, 8 writers", "message-db", "message-db write_message",
                        ResultRow.Role.PEER, ResultRow.Basis.THROUGHPUT, "not run: pass --peers"),
                ResultRow.measured("pipeline.latency.r1000", "pipeline commit to consumer at 1,000 events/s", "eventstore",
                        "eventstore bridge", ResultRow.Role.OURS, ResultRow.Basis.P99_LATENCY, 1000,
                        new Latency(8, 20, 30, 40, 15000), ""),
                ResultRow.measured("pipeline.latency.r1000", "pipeline commit to consumer at 1,000 events/s", "debezium-defaults",
                        "Debezium defaults", ResultRow.Role.PEER, ResultRow.Basis.P99_LATENCY, 1000,
                        new Latency(400, 500, 510, 520, 15000), ""),
                ResultRow.failed("pipeline.drain.n100000", "backlog drain of 100,000 events to Kafka ack", "eventstore",
                        "eventstore bridge", ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT, "the bridge stopped: boom"));
        List<Goal> goals = List.of(new Goal("single-event appends at least 0.8 of raw", Goal.Verdict.NOT_MET, "8 writers 0.80"));
        return new BenchReport("bench all --quick", environment, rows, goals);
    }

    @Test
    void textHasTheFactsEveryRowInColumnsTheLegendAndTheGoals() {
        String text = ReportRenderer.text(report());

        assertThat(text).startsWith("eventstore bench all --quick\n");
        assertThat(text).contains("  date     2026-01-01T00:00:00Z\n", "  machine  2 cores\n");
        List<String> lines = text.lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("workload")).findFirst().orElseThrow());
        assertThat(lines.get(header).split("\\s{2,}"))
                .containsExactly("workload", "subject", "events/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "ours ÷ this", "note");
        List<String[]> rows = lines.subList(header + 1, header + 7).stream().map(l -> l.split("\\s{2,}")).toList();
        assertThat(rows.get(0)).containsExactly("append single events, 8 writers", "eventstore append", "4,000", "1.23",
                "12.3", "123", "1,235");
        assertThat(rows.get(1)).containsExactly("append single events, 8 writers", "raw single-row INSERT (ceiling)", "5,000",
                "1.23", "12.3", "123", "1,235", "0.80 events/s", "stream rows created before");
        assertThat(rows.get(2)).containsExactly("append single events, 8 writers", "message-db write_message", "not run",
                "-", "-", "-", "-", "not run: pass --peers");
        assertThat(rows.get(4)).contains("0.04 p99");
        assertThat(rows.get(5)).contains("FAILED", "the bridge stopped: boom");
        // Numbers are right-aligned: the events/s column ends at the same place on every line.
        int end = lines.get(header).indexOf("events/s") + "events/s".length();
        assertThat(lines.get(header + 1).substring(end - 5, end)).isEqualTo("4,000");
        assertThat(text).contains("ours ÷ this: our events/s divided by this row's");
        assertThat(text).contains("NOT met", "single-event appends at least 0.8 of raw", "8 writers 0.80")
                .as("goals are named by what they measure").doesNotContain("issue");
    }

    @Test
    void jsonHasEveryRowWithNullsWhereNothingWasMeasured() throws Exception {
        JsonNode json = new ObjectMapper().readTree(ReportRenderer.json(report()));

        assertThat(json.get("command").asText()).isEqualTo("eventstore bench all --quick");
        assertThat(json.get("environment").get("machine").asText()).isEqualTo("2 cores");
        JsonNode results = json.get("results");
        assertThat(results).hasSize(6);
        JsonNode raw = results.get(1);
        assertThat(raw.get("workload_id").asText()).isEqualTo("append.single.w8");
        assertThat(raw.get("subject_id").asText()).isEqualTo("raw");
        assertThat(raw.get("role").asText()).isEqualTo("ceiling");
        assertThat(raw.get("status").asText()).isEqualTo("ok");
        assertThat(raw.get("events_per_second").asDouble()).isEqualTo(5000);
        assertThat(raw.get("latency_ms").get("p99").asDouble()).isEqualTo(12.34);
        assertThat(raw.get("latency_ms").get("p99_9").asDouble()).isEqualTo(123.4);
        assertThat(raw.get("latency_ms").get("count").asLong()).isEqualTo(1000);
        assertThat(raw.get("ratio").asDouble()).isEqualTo(0.8);
        assertThat(raw.get("ratio_basis").asText()).isEqualTo("ours events/s divided by this events/s");
        JsonNode skipped = results.get(2);
        assertThat(skipped.get("status").asText()).isEqualTo("skipped");
        assertThat(skipped.get("events_per_second").isNull()).isTrue();
        assertThat(skipped.get("latency_ms").isNull()).isTrue();
        assertThat(skipped.get("ratio").isNull()).isTrue();
        assertThat(results.get(4).get("ratio_basis").asText()).isEqualTo("ours p99 divided by this p99");
        assertThat(results.get(5).get("status").asText()).isEqualTo("failed");
        assertThat(json.get("goals").get(0).get("verdict").asText()).isEqualTo("not_met");
    }

    @Test
    void numbersKeepThreeSignificantDigits() {
        assertThat(ReportRenderer.millis(0.4123)).isEqualTo("0.412");
        assertThat(ReportRenderer.millis(4.123)).isEqualTo("4.12");
        assertThat(ReportRenderer.millis(41.23)).isEqualTo("41.2");
        assertThat(ReportRenderer.millis(412.3)).isEqualTo("412");
        assertThat(ReportRenderer.millis(4123)).isEqualTo("4,123");
        assertThat(ReportRenderer.eventsPerSecond(25_100.4)).isEqualTo("25,100");
        assertThat(ReportRenderer.eventsPerSecond(12.34)).isEqualTo("12.3");
        assertThat(ReportRenderer.eventsPerSecond(Double.NaN)).isEqualTo("-");
        assertThat(ReportRenderer.ratio(0.8345)).isEqualTo("0.83");
        assertThat(ReportRenderer.ratio(12.34)).isEqualTo("12.3");
        assertThat(ReportRenderer.ratio(1234)).isEqualTo("1,234");
    }
}
