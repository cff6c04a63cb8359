package dev.eventstore.bench;

import dev.eventstore.cli.Progress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Warm-up drains of a publisher, repeated until the JIT compilers of the JVM that runs it have
 * settled, so that a measured drain is a long-running publisher's steady state rather than a
 * young JVM's. A fixed warm-up is not enough on two busy cores: per-thread CPU times of an
 * {@code eventstore run} process after one 100,000-event warm-up drain showed its C2 compiler
 * thread holding a third of the process's CPU through the measured drain (BENCHMARKS.md, Profiles).
 * A warm-up drain is a backlog published as the measured one is, or appended while the publisher
 * runs where its restart is only a new instance of the same code; the drains stop once the
 * compilers took under {@link #SETTLED_SHARE} of the JVM's CPU time in one, or when the next
 * would start after {@link #BUDGET}, and the measured drain's note gives the compilers' share
 * during it.
 */
final class JitWarmUp {

    /** Settled: the compilers took less than this share of the JVM's CPU time in a warm-up drain. */
    static final double SETTLED_SHARE = 0.05;
    /** At most this many warm-up drains. */
    static final int MAX_ROUNDS = 40;
    /** No warm-up drain starts after this long (the compilers may still be busy: the note says so). */
    static final Duration BUDGET = Duration.ofSeconds(90);

    /** The JVM that runs the publisher: its CPU time, and its JIT compiler threads' by thread id (null: unknown). */
    interface Jvm {
        long cpuNanos();

        Map<Long, Long> compilerThreads();

        /** This JVM, the benchmark's. */
        static Jvm current() {
            long pid = ProcessHandle.current().pid();
            return new Jvm() {
                @Override
                public long cpuNanos() {
                    return CpuUsage.jvmCpuNanos();
                }

                @Override
                public Map<Long, Long> compilerThreads() {
                    return CpuUsage.compilerThreads(pid);
                }
            };
        }
    }

    /** One warm-up drain of {@code events} events, number {@code round} (from 1). */
    @FunctionalInterface
    interface Round {
        void drain(int round, int events) throws Exception;
    }

    /** How a publisher was warmed up: its drains, their size, the compilers' share of the JVM's CPU in the last. */
    record Result(int rounds, int eventsPerRound, double compilerShare) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "a warm-up of %d drain%s of %,d events (JIT compilers %s)", rounds,
                    rounds == 1 ? "" : "s", eventsPerRound, Double.isNaN(compilerShare) ? "not measured"
                            : percent(compilerShare) + " of the JVM's CPU in the last");
        }
    }

    private JitWarmUp() {
    }

    /**
     * The benchmark's warm-up: {@link #until(Jvm, int, int, Duration, Round, Progress)} with at
     * most {@link #MAX_ROUNDS} drains and {@link #BUDGET}, or one drain for {@code --quick}.
     */
    static Result until(Jvm jvm, int eventsPerRound, BenchSettings settings, Round round, Progress progress)
            throws Exception {
        int maxRounds = settings.profile() == BenchSettings.Profile.QUICK ? 1 : MAX_ROUNDS;
        return until(jvm, eventsPerRound, maxRounds, BUDGET, round, progress);
    }

    /**
     * Runs {@code round} until a drain in which {@code jvm}'s compilers took under
     * {@link #SETTLED_SHARE} of its CPU time, or {@code maxRounds} drains, or drains for
     * {@code budget}; where the compilers' time cannot be read, once.
     */
    static Result until(Jvm jvm, int eventsPerRound, int maxRounds, Duration budget, Round round, Progress progress)
            throws Exception {
        long deadline = System.nanoTime() + budget.toNanos();
        for (int n = 1; ; n++) {
            progress.detail(String.format(Locale.ROOT, "warming up: drain %d of at most %d, %,d events", n, maxRounds, eventsPerRound));
            long cpu0 = jvm.cpuNanos();
            Map<Long, Long> compiler0 = jvm.compilerThreads();
            round.drain(n, eventsPerRound);
            double share = share(CpuUsage.compilerNanosBetween(compiler0, jvm.compilerThreads()), jvm.cpuNanos() - cpu0);
            if (Double.isNaN(share) || share < SETTLED_SHARE || n >= maxRounds || System.nanoTime() - deadline >= 0) {
                return new Result(n, eventsPerRound, share);
            }
        }
    }

    /** The note on a measured drain, e.g. "this JVM's JIT compilers 3 % of its CPU". */
    static String duringDrain(String jvm, Map<Long, Long> compilerFrom, Map<Long, Long> compilerTo, long cpuFrom, long cpuTo) {
        return jvm + "'s JIT compilers " + percent(share(CpuUsage.compilerNanosBetween(compilerFrom, compilerTo),
                cpuFrom < 0 || cpuTo < 0 ? -1 : cpuTo - cpuFrom)) + " of its CPU";
    }

    /** {@code part} of {@code whole}, or NaN when either is unknown. */
    static double share(long part, long whole) {
        return part < 0 || whole <= 0 ? Double.NaN : Math.min(1.0, (double) part / whole);
    }

    /** "4 %", or "not measured". */
    static String percent(double share) {
        return Double.isNaN(share) ? "not measured" : String.format(Locale.ROOT, "%.0f %%", 100 * share);
    }
}
