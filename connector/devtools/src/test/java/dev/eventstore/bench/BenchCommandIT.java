package dev.eventstore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.cli.Environment;
import dev.eventstore.cli.EventStoreCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code eventstore bench all --quick} in this JVM, on its own embedded PostgreSQL and Kafka:
 * every workload has its rows, ours and the ceilings ran with numbers above zero, and the peer
 * that needs npm says it did not run. Nothing about speed is asserted.
 */
class BenchCommandIT {

    /** The workloads and subjects of a quick run without --peers, in the order they are printed. */
    private static final List<String[]> EXPECTED = expected();

    private static List<String[]> expected() {
        List<String[]> rows = new java.util.ArrayList<>(List.of(
            row("append 100-event batches, 1 writer", "eventstore append", "raw batched INSERT (ceiling)"),
            row("append 100-event batches, 8 writers", "eventstore append", "raw batched INSERT (ceiling)"),
            row("append single events, 1 writer", "eventstore append", "raw single-row INSERT (ceiling)",
                    "raw stream-row UPDATE + INSERT, 1 statement"),
            row("append single events, 8 writers", "eventstore append", "raw single-row INSERT (ceiling)",
                    "raw stream-row UPDATE + INSERT, 1 statement"),
            row("append single events, 16 writers", "eventstore append", "raw single-row INSERT (ceiling)",
                    "raw stream-row UPDATE + INSERT, 1 statement"),
            row("contention: 8 writers on 10 hot streams", "eventstore append, retry on conflict"),
            row("read a 1,000-event stream into typed events", "eventstore readStreamForward",
                    "eventstore readStreamForward, not deserialised", "raw SELECT on the copy (ceiling)"),
            row("catch-up of 5,000 events in pages of 1,000", "eventstore readStreamForward pages",
                    "eventstore streamEvents (cursor, whole stream per call)", "raw SELECT pages on the copy (ceiling)"),
            row("pipeline commit to consumer at 1,000 events/s", "eventstore bridge (defaults: poll 1 ms, linger 0)",
                    "eventstore bridge, poll 500 ms, linger " + PipelineWorkloads.kafkaDefaultLinger()
                            + " ms (Debezium's and Kafka's defaults)",
                    "Debezium EventRouter on Kafka Connect (poll 10 ms, linger 0)",
                    "eventstore transform on Kafka Connect (poll 10 ms, linger 0)"),
            row("pipeline commit to consumer at 5,000 events/s", "eventstore bridge (defaults: poll 1 ms, linger 0)",
                    "eventstore bridge, poll 500 ms, linger " + PipelineWorkloads.kafkaDefaultLinger()
                            + " ms (Debezium's and Kafka's defaults)",
                    "Debezium EventRouter on Kafka Connect (poll 10 ms, linger 0)",
                    "eventstore transform on Kafka Connect (poll 10 ms, linger 0)"),
            row(PipelineCapacity.WORKLOAD, "eventstore bridge (defaults: poll 1 ms, linger 0)",
                    "Debezium EventRouter on Kafka Connect (poll 10 ms, linger 0)",
                    "eventstore transform on Kafka Connect (poll 10 ms, linger 0)"),
            row("backlog drain of 5,000 events to Kafka ack", "eventstore bridge (defaults)",
                    "eventstore bridge, 5 requests in flight",
                    "Debezium EventRouter on Kafka Connect (poll 10 ms, linger 0)",
                    "eventstore transform on Kafka Connect (poll 10 ms, linger 0)",
                    "Debezium alone, records counted and discarded (no Kafka)", "raw Kafka producer, same records (ceiling)"),
            row("read your writes at 1,000 events/s: append to awaitPublished",
                    "eventstore awaitPublished, every 10th append (published.interval.ms 10)"),
            row("read your writes at 1,000 events/s: append to awaitConsumed",
                    "eventstore awaitConsumed, leaderboard group, every 10th append"),
            row("200 callers at once: awaitConsumed of an event each", "eventstore awaitConsumed, leaderboard group"),
            row("200 callers at once: awaitPublished of an event each", "eventstore awaitPublished"),
            row("idle: 2 s with no traffic, publisher in its own process", "eventstore run, -Xmx256m (defaults: poll 1 ms)",
                    "eventstore run, -Xmx256m, poll 500 ms (Debezium's default)"),
            row("backlog drain of 5,000 events, publisher in its own process", "eventstore run, -Xmx256m",
                    "Kafka Connect worker, eventstore transform, -Xms256M -Xmx2G"),
            row("replay of 20,000 events from Kafka, 1 consumer", "EventRecordDeserializer into typed events",
                    "raw consumer, bytes (ceiling)"),
            row("republish of 5,000 events from PostgreSQL to Kafka ack", "eventstore republish --all")));
        int perCore = ReplayWorkloads.consumersPerCore();
        if (perCore > 1) {
            rows.add(row("replay of 20,000 events from Kafka, " + perCore + " consumers (1 per core)",
                    "EventRecordDeserializer into typed events", "raw consumer, bytes (ceiling)"));
        }
        return rows;
    }

    private static String failedRows(String report) {
        StringBuilder failed = new StringBuilder("failed rows:");
        report.lines().filter(line -> line.contains("  FAILED  "))
                .forEach(line -> failed.append(System.lineSeparator()).append(line.replaceAll("\\s{2,}", " | ")));
        return failed.toString();
    }

    private static String[] row(String workload, String... subjects) {
        String[] row = new String[subjects.length + 1];
        row[0] = workload;
        System.arraycopy(subjects, 0, row, 1, subjects.length);
        return row;
    }

    @Test
    void quickRunOfEveryWorkloadPrintsEveryRowWithNumbers() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long started = System.nanoTime();

        int code = EventStoreCommand.execute(new Environment(Map.of()), new PrintWriter(out, true),
                new PrintWriter(err, true), "bench", "all", "--quick");

        String report = out.toString();
        // the failed rows first: a CI log keeps only the start of a long message
        assertThat(code).as("%s%n%s%n%s", failedRows(report), err, report).isZero();
        System.out.printf(Locale.ROOT, "bench all --quick took %.0f s%n%s", (System.nanoTime() - started) / 1e9, report);
        assertThat(err.toString()).as("progress on stderr").contains("bench: [1/", "bench: done in");

        List<String[]> table = table(report);
        List<String> seen = new ArrayList<>();
        for (String[] cells : table) {
            seen.add(cells[0] + " | " + cells[1]);
        }
        List<String> expected = new ArrayList<>();
        for (String[] workload : EXPECTED) {
            for (int i = 1; i < workload.length; i++) {
                expected.add(workload[0] + " | " + workload[i]);
            }
        }
        assertThat(seen).containsAll(expected);

        for (String[] cells : table) {
            String name = cells[0] + " | " + cells[1];
            if (cells[1].startsWith("message-db")) {
                assertThat(cells[2]).as(name).isEqualTo("not run");
                continue;
            }
            if (cells[0].startsWith("idle")) {
                assertThat(cells[cells.length - 1]).as(name + ": the process's CPU share").contains("% of a core");
                continue;
            }
            if (cells[0].equals(PipelineCapacity.WORKLOAD)) {
                // a rate found in steps: 0 when even the first is not kept up with, which a loaded
                // machine may do in --quick's one-second steps
                assertThat(number(cells[2])).as(name + " events/s").isNotNegative();
                assertThat(cells[cells.length - 1]).as(name).containsAnyOf("kept up with", "no step kept up with");
                continue;
            }
            assertThat(number(cells[2])).as(name + " events/s").isPositive();
            boolean drain = (cells[0].startsWith("backlog drain") && !cells[1].startsWith("raw Kafka producer"))
                    || cells[0].startsWith("republish");
            if (drain) {
                assertThat(cells[3]).as(name + ": no latency for a drain").isEqualTo("-");
                continue;
            }
            for (int column = 3; column <= 6; column++) {
                assertThat(number(cells[column])).as(name + " " + ReportRenderer.HEADER[column]).isGreaterThanOrEqualTo(0);
            }
            assertThat(number(cells[6])).as(name + " max").isPositive();
            if (cells[1].contains("await")) {
                assertThat(cells[cells.length - 1]).as(name + ": the queries each wait cost")
                        .containsPattern("^" + ReadYourWrites.QUERIES_PREFIX + "[0-9]+\\.[0-9]{2} ");
            }
        }
        assertThat(report).contains("message-db", "not run: pass --peers", "goals", "replay 1,000,000 events");
    }

    /** The table's rows, each split into cells (at runs of two or more spaces), header excluded. */
    private static List<String[]> table(String report) {
        List<String> lines = report.lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("workload ")) {
                header = i;
                break;
            }
        }
        assertThat(header).as(report).isNotNegative();
        List<String[]> rows = new ArrayList<>();
        for (int i = header + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
            rows.add(lines.get(i).split("\\s{2,}"));
        }
        return rows;
    }

    private static double number(String cell) {
        return Double.parseDouble(cell.replace(",", ""));
    }
}
