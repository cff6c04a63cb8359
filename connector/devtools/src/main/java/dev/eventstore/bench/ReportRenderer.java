package dev.eventstore.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as people read it (a plain-text table, one line per workload and subject, columns
 * separated by at least two spaces so that the lines can be split) or as machines do (JSON).
 */
final class ReportRenderer {

    static final String[] HEADER = {
        "workload", "subject", "events/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "ours ÷ this", "note"};
    private static final boolean[] RIGHT = {false, false, true, true, true, true, true, true, false};
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportRenderer() {
    }

    /** The whole report as text: the facts, the table, the legend and the goals. */
    static String text(BenchReport report) {
        StringBuilder out = new StringBuilder();
        out.append("eventstore ").append(report.command()).append('\n');
        int width = report.environment().keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, String> fact : report.environment().entrySet()) {
            out.append("  ").append(pad(fact.getKey(), width)).append("  ").append(fact.getValue()).append('\n');
        }
        out.append('\n');
        out.append(table(report.rows()));
        out.append('\n');
        out.append("ours ÷ this: our events/s divided by this row's (above 1: ours is faster), or for pipeline latency\n");
        out.append("our p99 divided by this row's (below 1: ours is quicker). Latency per operation: one append call,\n");
        out.append("one read or page; pipeline: per event, from the append's commit to receipt by a Kafka consumer.\n");
        if (!report.goals().isEmpty()) {
            out.append('\n').append("goals\n");
            List<String[]> lines = new ArrayList<>();
            for (Goal goal : report.goals()) {
                lines.add(new String[] {goal.verdict().label(), goal.goal(), goal.measured()});
            }
            out.append(columns(new String[] {"verdict", "goal", "measured"}, lines,
                    new boolean[] {false, false, false}, "  "));
        }
        return out.toString();
    }

    /** The table of rows alone, header first. */
    static String table(List<ResultRow> rows) {
        List<String[]> lines = new ArrayList<>();
        for (ResultRow row : rows) {
            lines.add(cells(row));
        }
        return columns(HEADER, lines, RIGHT, "  ");
    }

    static String[] cells(ResultRow row) {
        Latency latency = row.latency();
        return new String[] {
            row.workload(),
            row.subject(),
            row.ran() ? eventsPerSecond(row.eventsPerSecond()) : row.status().label(),
            latency == null ? "-" : millis(latency.p50Ms()),
            latency == null ? "-" : millis(latency.p99Ms()),
            latency == null ? "-" : millis(latency.p999Ms()),
            latency == null ? "-" : millis(latency.maxMs()),
            row.ratio() == null ? "" : ratio(row.ratio()) + " " + row.basis().label(),
            row.note()
        };
    }

    private static String columns(String[] header, List<String[]> lines, boolean[] right, String gap) {
        int[] widths = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            widths[i] = header[i].length();
            for (String[] line : lines) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        appendLine(out, header, widths, right, gap);
        for (String[] line : lines) {
            appendLine(out, line, widths, right, gap);
        }
        return out.toString();
    }

    private static void appendLine(StringBuilder out, String[] cells, int[] widths, boolean[] right, String gap) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append(gap);
            }
            String cell = cells[i] == null ? "" : cells[i];
            line.append(right[i] ? padLeft(cell, widths[i]) : pad(cell, widths[i]));
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }

    private static String padLeft(String text, int width) {
        return " ".repeat(Math.max(0, width - text.length())) + text;
    }

    /** 25,100 events/s; below 100 with one decimal. */
    static String eventsPerSecond(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    /** Three significant digits: 0.412, 4.12, 41.2, 412, 4,120. */
    static String millis(double value) {
        if (value < 10) {
            return String.format(Locale.ROOT, value < 1 ? "%.3f" : "%.2f", value);
        }
        if (value < 100) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    static String ratio(double value) {
        if (value >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, value >= 10 ? "%.1f" : "%.2f", value);
    }

    /** The report as JSON: the facts, every row with its numbers (null where none), the goals. */
    static String json(BenchReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("command", "eventstore " + report.command());
        ObjectNode environment = root.putObject("environment");
        report.environment().forEach(environment::put);
        ArrayNode results = root.putArray("results");
        for (ResultRow row : report.rows()) {
            ObjectNode node = results.addObject();
            node.put("workload_id", row.workloadId());
            node.put("workload", row.workload());
            node.put("subject_id", row.subjectId());
            node.put("subject", row.subject());
            node.put("role", row.role().name().toLowerCase(Locale.ROOT));
            node.put("status", row.status().name().toLowerCase(Locale.ROOT));
            number(node, "events_per_second", row.eventsPerSecond());
            Latency latency = row.latency();
            if (latency == null) {
                node.putNull("latency_ms");
            } else {
                ObjectNode l = node.putObject("latency_ms");
                l.put("p50", latency.p50Ms());
                l.put("p99", latency.p99Ms());
                l.put("p99_9", latency.p999Ms());
                l.put("max", latency.maxMs());
                l.put("count", latency.count());
            }
            if (row.ratio() == null) {
                node.putNull("ratio");
            } else {
                node.put("ratio", row.ratio());
            }
            node.put("ratio_basis", row.basis() == ResultRow.Basis.THROUGHPUT
                    ? "ours events/s divided by this events/s" : "ours p99 divided by this p99");
            node.put("note", row.note());
        }
        ArrayNode goals = root.putArray("goals");
        for (Goal goal : report.goals()) {
            ObjectNode node = goals.addObject();
            node.put("goal", goal.goal());
            node.put("verdict", goal.verdict().name().toLowerCase(Locale.ROOT));
            node.put("measured", goal.measured());
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the report as JSON", e);
        }
    }

    private static void number(ObjectNode node, String name, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }
}
