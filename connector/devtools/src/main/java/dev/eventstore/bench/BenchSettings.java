package dev.eventstore.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sizes and durations of one run, resolved from a {@link Profile} and the command line's
 * overrides. Every loop of the benchmark is bounded by these: a duration and
 * {@link #maxOperations} per writer.
 *
 * @param warmup time each measured case runs before it is measured
 * @param duration time each case is measured
 * @param pipelineWarmup time the game simulation runs before pipeline latency is measured
 * @param pipelineDuration time pipeline latency is measured at each rate
 * @param pipelineBurstEvents events pushed through each pipeline variant, unmeasured, before it is
 *     measured (its JIT warm-up)
 * @param batchSize events per append in the batch workloads
 * @param batchWriters writer counts of the batch workloads
 * @param singleWriters writer counts of the single-event workloads
 * @param contentionWriters writers of the contention workload
 * @param hotStreams streams they share
 * @param streamEvents events of the stream the read workload reads whole
 * @param catchUpEvents events of the stream the catch-up workload reads in pages
 * @param pageSize events per page of the catch-up
 * @param pipelineRates events per second of the pipeline latency workloads
 * @param drainEvents backlog sizes of the drain workloads
 * @param replayEvents events read back from Kafka by the replay workload
 * @param republishEvents events published again from PostgreSQL by the republish workload
 * @param scaleEvents events stored for the scale workload; 0: not run
 * @param maxOperations most operations a writer runs in one case, whatever the duration
 * @param messageDbVersion npm version of {@code @eventide/message-db} for {@code --peers}
 * @param bridgeSettings bridge settings ({@code BridgeConfig} keys) of our bridge in the pipeline
 *     workloads, over its defaults
 * @param readYourWritesDuration time the read-your-writes workload is measured, appending at
 *     {@value ReadYourWrites#RATE} events/s
 * @param waiters callers waiting at once in the concurrent-waiters workload
 */
record BenchSettings(Suite suite, Profile profile, boolean peers, Duration warmup, Duration duration,
                     Duration pipelineWarmup, Duration pipelineDuration, int pipelineBurstEvents, int batchSize, List<Integer> batchWriters,
                     List<Integer> singleWriters, int contentionWriters, int hotStreams, int streamEvents,
                     int catchUpEvents, int pageSize, List<Integer> pipelineRates, List<Integer> drainEvents,
                     int replayEvents, int republishEvents, long scaleEvents, long maxOperations, String messageDbVersion, Map<String, String> bridgeSettings,
                     Duration readYourWritesDuration, int waiters) {

    /** Which workloads run; {@code all} runs every suite but {@code idle}. */
    enum Suite {
        APPEND, READ, PIPELINE, REPLAY, IDLE, ALL;

        boolean includes(Suite part) {
            return this == part || (this == ALL && part != IDLE);
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The default sizes: brief for CI, the documented defaults, or everything the goals name. */
    enum Profile {
        QUICK, DEFAULT, FULL;

        String label() {
            return switch (this) {
                case QUICK -> "quick";
                case DEFAULT -> "default sizes";
                case FULL -> "full";
            };
        }
    }

    static final String MESSAGE_DB_VERSION = "1.3.1";

    BenchSettings {
        batchWriters = List.copyOf(batchWriters);
        singleWriters = List.copyOf(singleWriters);
        pipelineRates = List.copyOf(pipelineRates);
        drainEvents = List.copyOf(drainEvents);
        bridgeSettings = Map.copyOf(bridgeSettings);
    }

    /** The settings of {@code profile} before overrides. */
    static BenchSettings defaults(Suite suite, Profile profile) {
        return switch (profile) {
            case QUICK -> new BenchSettings(suite, profile, false, Duration.ofMillis(200), Duration.ofMillis(500),
                    Duration.ofMillis(300), Duration.ofMillis(1000), 2000, 100, List.of(1, 8), List.of(1, 8, 16), 8, 10,
                    1000, 5000, 1000, List.of(1000, 5000), List.of(5000), 20_000, 5_000, 0, 10_000_000L, MESSAGE_DB_VERSION, Map.of(),
                    Duration.ofSeconds(2), 200);
            case DEFAULT -> new BenchSettings(suite, profile, false, Duration.ofSeconds(2), Duration.ofSeconds(8),
                    Duration.ofSeconds(3), Duration.ofSeconds(15), 30_000, 100, List.of(1, 8), List.of(1, 8, 16), 8, 10,
                    1000, 100_000, 1000, List.of(1000, 5000), List.of(100_000), 1_000_000, 1_000_000, 0, 10_000_000L, MESSAGE_DB_VERSION, Map.of(),
                    Duration.ofSeconds(20), 1000);
            case FULL -> new BenchSettings(suite, profile, false, Duration.ofSeconds(3), Duration.ofSeconds(12),
                    Duration.ofSeconds(3), Duration.ofSeconds(20), 30_000, 100, List.of(1, 8), List.of(1, 8, 16), 8, 10,
                    1000, 100_000, 1000, List.of(1000, 5000), List.of(100_000, 1_000_000), 1_000_000, 1_000_000, 10_000_000L, 10_000_000L,
                    MESSAGE_DB_VERSION, Map.of(), Duration.ofSeconds(20), 1000);
        };
    }

    /** Time of each measured case, warm-up included. */
    Duration caseTime() {
        return warmup.plus(duration);
    }

    /** The largest writer count of any workload: the size of the connection pools. */
    int maxWriters() {
        int max = contentionWriters;
        for (int w : batchWriters) {
            max = Math.max(max, w);
        }
        for (int w : singleWriters) {
            max = Math.max(max, w);
        }
        for (int rate : pipelineRates) {
            max = Math.max(max, PipelineWorkloads.simulationWriters(rate));
        }
        return max;
    }

    /** A one-line account of the sizes, for the report. */
    String describe() {
        return String.format(Locale.ROOT,
                "%s; warm-up %s + %s per case; batches of %d; pipeline %,d-event burst, then %s + %s at %s events/s;"
                        + " drain %s; read your writes %s + %s at %,d events/s, %,d waiters; replay %,d; republish %,d;"
                        + " catch-up %,d in pages of %,d; scale %s",
                profile.label(), seconds(warmup), seconds(duration), batchSize, pipelineBurstEvents, seconds(pipelineWarmup),
                seconds(pipelineDuration), join(pipelineRates), join(drainEvents), seconds(pipelineWarmup),
                seconds(readYourWritesDuration), ReadYourWrites.RATE, waiters, replayEvents, republishEvents, catchUpEvents, pageSize,
                scaleEvents == 0 ? "off (--full)" : String.format(Locale.ROOT, "%,d events", scaleEvents))
                + (bridgeSettings.isEmpty() ? "" : "; our bridge with " + new java.util.TreeMap<>(bridgeSettings));
    }

    static String seconds(Duration duration) {
        double s = duration.toMillis() / 1000.0;
        return (s == Math.rint(s) ? String.format(Locale.ROOT, "%.0f", s) : String.format(Locale.ROOT, "%.1f", s)) + " s";
    }

    private static String join(List<Integer> values) {
        StringBuilder out = new StringBuilder();
        for (int v : values) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(String.format(Locale.ROOT, "%,d", v));
        }
        return out.toString();
    }
}
