package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.cli.Environment;
import dev.eventstore.cli.EventStoreCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md shows real commands, metrics and views: every {@code bin/eventstore ...}
 * command line it shows (code blocks, inline code, the systemd units) runs with {@code --help}
 * and knows every option the guide gives it; every {@code eventstore_*} metric it names is
 * in a scrape of {@code /metrics}; every {@code monitor_*} view it names is created by the
 * monitoring migration.
 */
class OperationsGuideTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();
    private static final Pattern COMMAND = Pattern.compile("bin/eventstore\\s+([a-z][a-z-]*)([^`\\n]*)");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z-]*)");

    private static String guide() throws Exception {
        // Shell continuation lines are joined, so that a command's options stay with it.
        return Files.readString(ROOT.resolve("docs/operations.md")).replace("\\\n", " ");
    }

    record CommandLine(String command, List<String> options, String text) {
    }

    static List<CommandLine> commands(String guide) {
        List<CommandLine> commands = new ArrayList<>();
        Matcher m = COMMAND.matcher(guide);
        while (m.find()) {
            List<String> options = new ArrayList<>();
            Matcher o = OPTION.matcher(m.group(2));
            while (o.find()) {
                options.add(o.group(1));
            }
            commands.add(new CommandLine(m.group(1), options, m.group().trim()));
        }
        return commands;
    }

    @Test
    void everyCommandTheGuideShowsRunsWithHelpAndKnowsItsOptions() throws Exception {
        List<CommandLine> commands = commands(guide());
        Set<String> names = new TreeSet<>();
        commands.forEach(c -> names.add(c.command()));
        assertThat(names).contains("run", "cleanup", "republish", "verify", "replay", "status", "migrate", "roles");
        assertThat(commands.stream().filter(c -> c.command().equals("cleanup")).flatMap(c -> c.options().stream()))
                .contains("--dry-run", "--hard-delete-streams-older-than", "--force", "--subscriptions-older-than",
                        "--offsets-older-than");
        for (CommandLine line : commands) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = EventStoreCommand.execute(new Environment(Map.of()), new PrintWriter(out, true),
                    new PrintWriter(err, true), line.command(), "--help");
            assertThat(code).as(line.text() + ": " + err).isZero();
            assertThat(out.toString()).as(line.text()).startsWith("Usage: eventstore " + line.command());
            for (String option : line.options()) {
                assertThat(out.toString()).as(line.text() + " uses " + option).contains(option);
            }
        }
    }

    @Test
    void everyMetricTheGuideNamesIsScraped() throws Exception {
        BridgeMetrics metrics = new BridgeMetrics();
        metrics.slot(new StoreViews.SlotState("eventstore_cdc", "pgoutput", true, 42, "reserved", 100, 10, 1000L,
                "0/1", "0/2", true, "eventstore_events", "eventstore-bridge"));
        metrics.publishedBelow(7);
        metrics.readiness("bridge", () -> true);
        new MirrorMetrics(metrics.registry()).passCompleted(2);
        metrics.store(List.of(new StoreViews.CategoryStreams("game", 3, 1, 8, 5, 2.7, null)),
                List.of(new StoreViews.SubscriptionLag("leaderboard", "game", null, 1, 2, 3, null, null, 4.5)));
        String scrape = metrics.scrape();
        Set<String> named = new LinkedHashSet<>();
        Matcher m = Pattern.compile("eventstore_(?:(?:bridge|store|mirror)_[a-z_]+|ready)").matcher(guide());
        while (m.find()) {
            named.add(m.group());
        }
        assertThat(named).hasSizeGreaterThan(10);
        for (String metric : named) {
            assertThat(scrape).as(metric).containsPattern("(?m)^(# TYPE )?" + metric + "(\\{| )");
        }
        assertThat(scrape).contains("eventstore_store_category_events_total{category=\"game\"} 8.0",
                "# TYPE eventstore_store_category_events_total counter",
                "eventstore_store_subscription_lag_events{category=\"game\",subscription=\"leaderboard\"} 3.0",
                "eventstore_store_subscription_lag_seconds{category=\"game\",subscription=\"leaderboard\"} 4.5",
                "eventstore_bridge_slot_safe_wal_size_bytes 1000.0", "eventstore_bridge_published_below_event_id 7.0");

        // A category or subscription that disappears from the views disappears from /metrics.
        metrics.store(List.of(), List.of());
        assertThat(metrics.scrape()).doesNotContain("category=\"game\"");
    }

    @Test
    void everyViewTheGuideNamesIsCreatedByTheMigration() throws Exception {
        Matcher m = Pattern.compile("monitor_[a-z_]+").matcher(guide());
        Set<String> views = new TreeSet<>();
        while (m.find()) {
            views.add(m.group());
        }
        assertThat(views).containsExactly("monitor_events_per_hour", "monitor_largest_streams", "monitor_replication_slots",
                "monitor_streams_per_category", "monitor_subscription_lag", "monitor_table_sizes");
        for (String view : views) {
            assertThat(Files.readString(ROOT.resolve("migrations/R__2_view_" + view + ".sql")))
                    .contains("CREATE OR REPLACE VIEW " + view + " AS");
        }
    }
}
