package dev.eventstore.bench;

import dev.eventstore.bridge.BridgeConfig;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trade between an idle bridge's CPU and its latency, at a few poll intervals
 * ({@link #POLL_INTERVALS}), in one run ({@code bench idle}): for each, our bridge's latency from
 * commit to consumer at the pipeline rates and for single events after a quiet spell (in the
 * benchmark's JVM, as the pipeline suite measures it), and {@code eventstore run} idle in its own
 * process (as the pipeline suite's process rows measure it). The default interval's rows are
 * ours; the others are references. {@code --bridge-setting} applies to both.
 */
final class IdleWorkloads {

    /** Poll intervals measured, in ms: the default ({@link #DEFAULT_POLL}) and two longer ones. */
    static final List<Long> POLL_INTERVALS = List.of(1L, 5L, 10L);
    static final long DEFAULT_POLL = 1L;
    /** Single events measured after a quiet spell, per interval. */
    static final int SPORADIC_EVENTS = 10;

    private final BenchContext context;

    IdleWorkloads(BenchContext context) {
        this.context = context;
    }

    static int caseCount(BenchSettings settings) {
        return POLL_INTERVALS.size() * (settings.pipelineRates().size() + 2);
    }

    List<ResultRow> run() {
        List<ResultRow> rows = new ArrayList<>();
        try {
            context.resetAll();
        } catch (SQLException e) {
            context.progress.phase("could not empty the store first: " + LoadRunner.describe(e));
        }
        String settings = context.settings.bridgeSettings().isEmpty() ? ""
                : ", " + new TreeMap<>(context.settings.bridgeSettings());
        PipelineWorkloads pipeline = new PipelineWorkloads(context);
        try {
            PipelineLatency latency = new PipelineLatency(pipeline, context);
            for (long poll : POLL_INTERVALS) {
                ResultRow.Role role = poll == DEFAULT_POLL ? ResultRow.Role.OURS : ResultRow.Role.REFERENCE;
                rows.addAll(latency.latency(new PipelineLatency.Variant("eventstore-poll" + poll,
                        "eventstore bridge, poll " + poll + " ms" + settings, role, "idlepoll" + poll,
                        Map.of(BridgeConfig.Key.POLL_INTERVAL_MS, poll), null), SPORADIC_EVENTS, false));
            }
        } finally {
            PipelineWorkloads.closeQuietly(pipeline::close);
        }
        ProcessWorkloads processes = new ProcessWorkloads(context);
        try {
            String workload = String.format(Locale.ROOT, "idle: %d s with no traffic, publisher in its own process",
                    processes.idleSeconds());
            for (long poll : POLL_INTERVALS) {
                ResultRow.Role role = poll == DEFAULT_POLL ? ResultRow.Role.OURS : ResultRow.Role.REFERENCE;
                Map<String, String> environment = new HashMap<>();
                context.settings.bridgeSettings().forEach((key, value) -> environment.put(variable(key), value));
                environment.put(variable(BridgeConfig.Key.POLL_INTERVAL_MS), Long.toString(poll));
                rows.add(processes.idle(new BenchContext.Subject(ProcessWorkloads.IDLE, workload, "eventstore-run-poll" + poll,
                        "eventstore run, " + ProcessWorkloads.RUN_HEAP + ", poll " + poll + " ms" + settings, role,
                        ResultRow.Basis.THROUGHPUT), "idlerun" + poll, environment));
            }
        } finally {
            processes.close();
        }
        return rows;
    }

    /** The environment variable that sets a bridge key: {@code EVENTSTORE_} and the key in upper case. */
    private static String variable(String key) {
        return BridgeConfig.ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
