package dev.eventstore.bridge;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics reference ({@code docs/metrics.md}), generated from the meters the code registers:
 * a registry holding the bridge's meters ({@link BridgeMetrics}, the store figures included), the
 * offset mirror's ({@link MirrorMetrics}) and both readiness gauges, scraped in Prometheus format,
 * so each row shows the exposed name, type, labels and help text exactly. {@link MetricsDocsTest}
 * fails when the committed file is not this output; regenerate with
 * {@code mvn -B -pl connector/bridge test -Dtest=MetricsDocsTest -Deventstore.docs.regenerate=true}.
 */
final class MetricsDocs {

    static final String REFERENCE = "docs/metrics.md";
    private static final Pattern TYPE = Pattern.compile("(?m)^# TYPE (eventstore_[a-z_]+) ([a-z]+)$");
    private static final Pattern HELP = Pattern.compile("(?m)^# HELP (eventstore_[a-z_]+) (.*)$");

    private MetricsDocs() {
    }

    /** Every eventstore_* meter, registered as the services register them, with one sample row each. */
    static PrometheusMeterRegistry sampleRegistry() {
        BridgeMetrics bridge = new BridgeMetrics();
        PrometheusMeterRegistry registry = (PrometheusMeterRegistry) bridge.registry();
        bridge.store(List.of(new StoreViews.CategoryStreams("game", 3, 1, 8, 5, 2.7, null)),
                List.of(new StoreViews.SubscriptionLag("leaderboard", "game", null, 1, 2, 3, null, null, 4.5)));
        bridge.readiness("bridge", () -> true);
        new MirrorMetrics(registry).passCompleted(1);
        Registries.readiness(registry, "mirror", () -> true);
        return registry;
    }

    static String reference() {
        PrometheusMeterRegistry registry = sampleRegistry();
        String scrape = registry.scrape();
        Map<String, String> types = new TreeMap<>();
        Matcher t = TYPE.matcher(scrape);
        while (t.find()) {
            types.put(t.group(1), t.group(2));
        }
        Map<String, String> help = new LinkedHashMap<>();
        Matcher h = HELP.matcher(scrape);
        while (h.find()) {
            help.put(h.group(1), h.group(2));
        }
        StringBuilder out = new StringBuilder();
        out.append("<!-- Generated from the meters the code registers by MetricsDocs (connector/bridge tests). Do not edit:\n")
                .append("     mvn -B -pl connector/bridge test -Dtest=MetricsDocsTest -Deventstore.docs.regenerate=true -->\n\n")
                .append("# Metrics\n\n")
                .append("`GET /metrics` of `bin/eventstore run` (the bridge) and of `bin/eventstore mirror` (the offset mirror\n")
                .append("service) answers in Prometheus text format. The event store's own metrics are below; beside them\n")
                .append("each service exports Micrometer's JVM binders (`jvm_*`), process and system binders (`process_*`,\n")
                .append("`system_*`), its Kafka clients' metrics (`kafka_producer_*` for the bridge's producer,\n")
                .append("`kafka_admin_client_*` for the mirror service's admin client) and its connection pool's (`hikaricp_*`,\n")
                .append("label `pool`: `eventstore-bridge` or `eventstore-mirror`).\n\n")
                .append("Served by: **run** is `bin/eventstore run`; **mirror** is `bin/eventstore mirror`, and the offset mirror\n")
                .append("built into `run` (`mirror.enabled=true`) exports the `eventstore_mirror_*` figures there too.\n")
                .append("Counters are cumulative (use `rate()` or `increase()`); gauges are current values.\n\n")
                .append("| Metric | Type | Labels | Served by | Description |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, String> type : types.entrySet()) {
            String name = type.getKey();
            Meter meter = meterOf(registry, name);
            String labels = meter == null ? "" : String.join(", ", labels(meter));
            out.append("| `").append(name).append("` | ").append(type.getValue()).append(" | ")
                    .append(labels.isEmpty() ? "" : "`" + labels.replace(", ", "`, `") + "`").append(" | ")
                    .append(servedBy(name)).append(" | ")
                    .append(help.getOrDefault(name, "").replace("|", "\\|")).append(" |\n");
        }
        out.append("\nA timer (`eventstore_bridge_commit_to_ack_seconds`) is exposed as `_count`, `_sum`, `_max`, its\n")
                .append("percentiles (label `quantile`: 0.5, 0.99, 0.999) and histogram buckets (`_bucket`, label `le`).\n");
        return out.toString();
    }

    private static String servedBy(String name) {
        if (name.startsWith("eventstore_bridge_")) {
            return "run";
        }
        if (name.equals("eventstore_ready")) {
            return "run (`component=\"bridge\"`), mirror (`component=\"mirror\"`)";
        }
        return "run, mirror";
    }

    /** The meter a Prometheus family comes from: the longest meter name that, in Prometheus form, begins it. */
    private static Meter meterOf(PrometheusMeterRegistry registry, String family) {
        Meter best = null;
        int bestLength = -1;
        for (Meter meter : registry.getMeters()) {
            String prefix = meter.getId().getName().replace('.', '_');
            if (family.startsWith(prefix) && prefix.length() > bestLength) {
                best = meter;
                bestLength = prefix.length();
            }
        }
        return best;
    }

    private static List<String> labels(Meter meter) {
        List<String> keys = new ArrayList<>();
        for (Tag tag : meter.getId().getTags()) {
            keys.add(tag.getKey());
        }
        keys.sort(null);
        return keys;
    }

    static void write(Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve(REFERENCE), reference(), StandardCharsets.UTF_8);
    }
}
