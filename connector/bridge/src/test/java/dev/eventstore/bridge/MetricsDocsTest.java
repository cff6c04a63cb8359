package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed metrics reference is what the code's meters generate; the names others build on are there. */
class MetricsDocsTest {

    private static final String REGENERATE = "eventstore.docs.regenerate";
    private static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();

    @Test
    void committedReferenceIsUpToDate() throws IOException {
        if (Boolean.getBoolean(REGENERATE)) {
            MetricsDocs.write(ROOT);
        }
        assertThat(Files.readString(ROOT.resolve(MetricsDocs.REFERENCE), StandardCharsets.UTF_8))
                .as(MetricsDocs.REFERENCE + " is out of date with the meters; regenerate with: mvn -B -pl connector/bridge"
                        + " test -Dtest=MetricsDocsTest -D" + REGENERATE + "=true")
                .isEqualTo(MetricsDocs.reference());
    }

    @Test
    void theNamesAlertsAndDashboardsUseAreExportedWithTheirTypes() {
        PrometheusMeterRegistry registry = MetricsDocs.sampleRegistry();
        String scrape = registry.scrape();
        assertThat(scrape).contains(
                "# TYPE eventstore_store_category_streams gauge",
                "# TYPE eventstore_store_category_events_total counter",
                "eventstore_store_category_events_total{category=\"game\"} 8.0",
                "# TYPE eventstore_store_subscription_lag_events gauge",
                "# TYPE eventstore_store_subscription_lag_seconds gauge",
                "eventstore_store_subscription_lag_seconds{category=\"game\",subscription=\"leaderboard\"} 4.5",
                "# TYPE eventstore_store_refresh_timestamp_seconds gauge",
                "# TYPE eventstore_bridge_events_published_total counter",
                "# TYPE eventstore_bridge_publish_errors_total counter",
                "# TYPE eventstore_bridge_events_dead_lettered_total counter",
                "eventstore_bridge_commit_to_ack_seconds_count",
                "# TYPE eventstore_bridge_slot_active gauge",
                "# TYPE eventstore_bridge_last_publish_timestamp_seconds gauge",
                "# TYPE eventstore_bridge_published_below_event_id gauge",
                "# TYPE eventstore_mirror_last_pass_timestamp_seconds gauge",
                "# TYPE eventstore_mirror_positions_written_total counter",
                "eventstore_ready{component=\"bridge\"} 1.0",
                "eventstore_ready{component=\"mirror\"} 1.0",
                "# TYPE jvm_memory_used_bytes gauge",
                "# TYPE process_cpu_usage gauge");
        assertThat(scrape).doesNotContain("eventstore_bridge_category", "eventstore_bridge_subscription");
        Registries.close(registry);
    }
}
