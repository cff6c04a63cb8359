package dev.eventstore.bench;

import dev.eventstore.admin.EventSelection;
import dev.eventstore.admin.Republisher;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Republish: every stored event published again from PostgreSQL, as {@code bin/eventstore
 * republish --all} does after Kafka lost data ({@link Republisher}: the bridge's encoder, one
 * idempotent producer, each stream in order), timed from the start to the last acknowledgement.
 * The store is emptied and filled with the workload's events first (100-event appends,
 * unmeasured); the topics go to a prefix of their own, deleted afterwards.
 */
final class RepublishWorkload {

    static final String REPUBLISH = "republish.n";

    private final BenchContext context;

    RepublishWorkload(BenchContext context) {
        this.context = context;
    }

    static int caseCount() {
        return 1;
    }

    List<ResultRow> run() {
        int events = context.settings.republishEvents();
        String workload = String.format(Locale.ROOT, "republish of %,d events from PostgreSQL to Kafka ack", events);
        BenchContext.Subject ours = new BenchContext.Subject(REPUBLISH + events, workload, "eventstore",
                "eventstore republish --all", ResultRow.Role.OURS, ResultRow.Basis.THROUGHPUT);
        context.progress.startCase(workload + " · " + ours.subject(), Duration.ofSeconds(10 + events / 5_000));
        String prefix = "bench.republish" + System.currentTimeMillis();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                context.servers.bootstrapServers()))) {
            try {
                context.resetAll();
                context.progress.detail(String.format(Locale.ROOT, "appending %,d events", events));
                context.appendBacklog("republish", events);
                Republisher republisher = new Republisher(context.bridgeConfig("bench-republish", "bench_republish", prefix,
                        Map.of()));
                Republisher.Report report = republisher.republish(EventSelection.all(), (done, total) ->
                        context.progress.detail(String.format(Locale.ROOT, "%,d of %,d republished", done, total)));
                if (report.events() != events) {
                    return List.of(ours.failed(String.format(Locale.ROOT, "republished %,d of %,d events", report.events(),
                            events)));
                }
                return List.of(ours.measured(report.eventsPerSecond(), null, String.format(Locale.ROOT,
                        "%,d events in %.1f s, read in event id order, lz4, linger 10 ms", report.events(),
                        report.elapsedMillis() / 1000.0)));
            } finally {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                admin.deleteTopics(topics.stream().filter(t -> t.startsWith(prefix + ".")).toList());
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return List.of(ours.failed(LoadRunner.describe(e)));
        }
    }
}
