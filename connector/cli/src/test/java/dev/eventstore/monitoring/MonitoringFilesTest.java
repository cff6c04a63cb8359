package dev.eventstore.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules pass Prometheus's own checker and their unit tests ({@code promtool}, from
 * Debian's {@code prometheus} package; skipped where it is missing), and the dashboard is a
 * Grafana dashboard whose every panel queries something. That the metric names exist is
 * checked against a running bridge by {@link PrometheusAlertsIT}.
 */
class MonitoringFilesTest {

    private static String promtool(String... args) throws Exception {
        assumeTrue(Files.isExecutable(MonitoringFiles.PROMTOOL), "promtool missing (Debian package prometheus): not checked");
        List<String> command = new java.util.ArrayList<>(List.of(MonitoringFiles.PROMTOOL.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(MonitoringFiles.ROOT.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
        return output;
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        assertThat(promtool("check", "rules", "monitoring/alerts.yml")).containsPattern("SUCCESS: \\d+ rules found");
    }

    @Test
    void theRulesPassTheirUnitTests() throws Exception {
        assertThat(promtool("test", "rules", "monitoring/alerts_test.yml")).contains("SUCCESS");
    }

    @Test
    void everyAlertOfTheIssueIsThereWithASeverityAndASummary() throws IOException {
        String rules = Files.readString(MonitoringFiles.ALERTS);
        for (String alert : List.of("EventStoreSlotInactive", "EventStoreWalRetainedHigh", "EventStorePublishLagHigh",
                "EventStoreConsumerLagGrowing", "EventStoreNotReady", "EventStoreDeadLetterRecords")) {
            assertThat(rules).contains("- alert: " + alert + "\n");
        }
        String[] alerts = rules.split("\n\\s*- alert: ");
        for (int i = 1; i < alerts.length; i++) {
            assertThat(alerts[i]).as(alerts[i]).containsPattern("severity: (critical|warning)").contains("summary: ", "runbook: ");
        }
    }

    @Test
    void theDashboardIsGrafanaJsonAndEveryPanelQueriesAMetric() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(MonitoringFiles.DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("eventstore");
        assertThat(dashboard.path("schemaVersion").asInt()).isPositive();
        int panels = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            panels++;
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(MonitoringFiles.metricNames(target.path("expr").asText()))
                        .as(panel.path("title").asText() + ": " + target.path("expr").asText()).isNotEmpty();
            }
        }
        assertThat(panels).isGreaterThan(10);
    }

    @Test
    void metricNamesAreReadFromPromQl() {
        assertThat(MonitoringFiles.metricNames("histogram_quantile(0.99, sum by (job, instance, le) (rate("
                + "eventstore_bridge_commit_to_ack_seconds_bucket{instance=~\"$instance\"}[5m]))) > 5e9"))
                .isEqualTo(Set.of("eventstore_bridge_commit_to_ack_seconds_bucket"));
        assertThat(MonitoringFiles.metricNames("(time() - a_b > 600) and on () (sum(rate(c_total[$__rate_interval])) > 0)"
                + " or up{job=\"x\"} == 0")).isEqualTo(Set.of("a_b", "c_total"));
        assertThat(MonitoringFiles.metricNames("label_values(eventstore_ready, instance)")).isEqualTo(Set.of("eventstore_ready"));
    }
}
