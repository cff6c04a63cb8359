package dev.eventstore.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's {@code monitoring/} files as the tests read them: the alert rules, their
 * promtool unit tests and the Grafana dashboard, and the metric names each query uses.
 */
final class MonitoringFiles {

    static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();
    static final Path ALERTS = ROOT.resolve("monitoring/alerts.yml");
    static final Path ALERTS_TEST = ROOT.resolve("monitoring/alerts_test.yml");
    static final Path DASHBOARD = ROOT.resolve("monitoring/dashboard.json");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    /** Series Prometheus makes itself, not a target's. */
    private static final Set<String> SYNTHETIC = Set.of("up", "scrape_duration_seconds", "ALERTS", "ALERTS_FOR_STATE");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan", "atan2");
    private static final Pattern EXPR_LINE = Pattern.compile("(?m)^\\s*expr:\\s*(.+)$");

    private MonitoringFiles() {
    }

    /** Each rule's {@code expr}, as written (each on one line in alerts.yml). */
    static List<String> alertExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        Matcher m = EXPR_LINE.matcher(Files.readString(ALERTS));
        while (m.find()) {
            expressions.add(m.group(1).trim());
        }
        return expressions;
    }

    /** Every PromQL query of the dashboard: panel targets and the template variables' label_values(). */
    static List<String> dashboardExpressions() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.findValues("expr").forEach(node -> expressions.add(node.asText()));
        for (JsonNode variable : dashboard.at("/templating/list")) {
            if ("query".equals(variable.path("type").asText())) {
                expressions.add(variable.path("definition").asText());
            }
        }
        return expressions;
    }

    /** The metric names a PromQL expression reads, without Prometheus's own series. */
    static Set<String> metricNames(String expression) {
        String s = expression
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")              // strings (label values)
                .replaceAll("'(?:[^'\\\\]|\\\\.)*'", " ")
                .replaceAll("\\$\\{[^}]*}|\\$\\w+", " ")                   // Grafana variables
                .replaceAll("\\{[^}]*}", " ")                              // label matchers
                .replaceAll("\\[[^]]*]", " ")                              // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("(?<![\\w:])\\d+(\\.\\d+)?([eE][+-]?\\d+)?(?![\\w:])", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
        while (m.find()) {
            String name = m.group();
            boolean function = s.substring(m.end()).matches("(?s)\\s*\\(.*");
            if (!function && !KEYWORDS.contains(name) && !SYNTHETIC.contains(name)) {
                names.add(name);
            }
        }
        // label_values(METRIC, LABEL): the label is not a metric
        Matcher labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)[^,]*,\\s*(\\w+)\\s*\\)").matcher(s);
        while (labelValues.find()) {
            names.remove(labelValues.group(2));
            names.add(labelValues.group(1));
        }
        return names;
    }

    /** The sample names of a scrape in Prometheus's text format. */
    static Set<String> sampleNames(String scrape) {
        Set<String> names = new TreeSet<>();
        scrape.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }
}
