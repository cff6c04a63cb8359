package dev.eventstore.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.eventstore.cli.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JitWarmUpTest {

    private final Progress progress = new Progress(new PrintWriter(new StringWriter()), false, 1);

    /** A JVM whose compilers take the given share of each drain's CPU time. */
    private static final class ScriptedJvm implements JitWarmUp.Jvm {
        private final double[] shares;
        private long cpu;
        private long compiler;
        private int drains;

        ScriptedJvm(double... shares) {
            this.shares = shares;
        }

        void drain() {
            double share = shares[Math.min(drains, shares.length - 1)];
            cpu += 1_000_000_000L;
            compiler += (long) (share * 1_000_000_000L);
            drains++;
        }

        @Override
        public long cpuNanos() {
            return cpu;
        }

        @Override
        public Map<Long, Long> compilerThreads() {
            return Map.of(7L, compiler);
        }
    }

    @Test
    void drainsUntilTheCompilersTakeUnderFivePercent() throws Exception {
        ScriptedJvm jvm = new ScriptedJvm(0.40, 0.20, 0.06, 0.03, 0.01);
        List<Integer> rounds = new ArrayList<>();

        JitWarmUp.Result result = JitWarmUp.until(jvm, 50_000, 12, Duration.ofMinutes(5), (round, events) -> {
            rounds.add(round);
            assertThat(events).isEqualTo(50_000);
            jvm.drain();
        }, progress);

        assertThat(rounds).containsExactly(1, 2, 3, 4);
        assertThat(result.rounds()).isEqualTo(4);
        assertThat(result.compilerShare()).isCloseTo(0.03, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(result).hasToString("a warm-up of 4 drains of 50,000 events (JIT compilers 3 % of the JVM's CPU in the last)");
    }

    @Test
    void stopsAtTheLimitAndSaysTheCompilersHadNotSettled() throws Exception {
        ScriptedJvm jvm = new ScriptedJvm(0.30);

        JitWarmUp.Result result = JitWarmUp.until(jvm, 1_000, 3, Duration.ofMinutes(5), (round, events) -> jvm.drain(), progress);

        assertThat(result.rounds()).isEqualTo(3);
        assertThat(result).hasToString("a warm-up of 3 drains of 1,000 events (JIT compilers 30 % of the JVM's CPU in the last)");
    }

    @Test
    void stopsOnceItsTimeIsSpent() throws Exception {
        ScriptedJvm jvm = new ScriptedJvm(0.30);

        JitWarmUp.Result result = JitWarmUp.until(jvm, 1_000, 40, Duration.ZERO, (round, events) -> jvm.drain(), progress);

        assertThat(result.rounds()).isEqualTo(1);
    }

    @Test
    void drainsOnceWhereTheCompilersCannotBeMeasured() throws Exception {
        JitWarmUp.Jvm unknown = new JitWarmUp.Jvm() {
            @Override
            public long cpuNanos() {
                return 1;
            }

            @Override
            public Map<Long, Long> compilerThreads() {
                return null;
            }
        };
        List<Integer> rounds = new ArrayList<>();

        JitWarmUp.Result result = JitWarmUp.until(unknown, 10, 12, Duration.ofMinutes(5), (round, events) -> rounds.add(round), progress);

        assertThat(rounds).containsExactly(1);
        assertThat(result).hasToString("a warm-up of 1 drain of 10 events (JIT compilers not measured)");
    }

    @Test
    void aFailedDrainEndsTheWarmUp() {
        ScriptedJvm jvm = new ScriptedJvm(0.5);

        assertThatThrownBy(() -> JitWarmUp.until(jvm, 10, 12, Duration.ofMinutes(5), (round, events) -> {
            throw new IllegalStateException("published 3 of 10 events within 120 s");
        }, progress)).hasMessage("published 3 of 10 events within 120 s");
    }

    @Test
    void thisJvmsCompilerThreadsAreReadFromProc() {
        Map<Long, Long> compilers = JitWarmUp.Jvm.current().compilerThreads();
        assumeTrue(compilers != null, "no /proc here, or another JIT: the bench says \"not measured\"");
        // This JVM has compiled something by now, on threads of its own.
        assertThat(compilers.values().stream().mapToLong(Long::longValue).sum()).isPositive()
                .isLessThanOrEqualTo(JitWarmUp.Jvm.current().cpuNanos());
        assertThat(compilers.keySet()).doesNotContain(ProcessHandle.current().pid());
    }

    @Test
    void aCompilerThreadThatEndedCannotMakeTheTimeNegative() {
        assertThat(CpuUsage.compilerNanosBetween(Map.of(1L, 500L, 2L, 900L), Map.of(1L, 700L))).isEqualTo(200);
        assertThat(CpuUsage.compilerNanosBetween(Map.of(1L, 500L), Map.of(1L, 700L, 3L, 40L))).isEqualTo(240);
        assertThat(CpuUsage.compilerNanosBetween(null, Map.of(1L, 700L))).isEqualTo(-1);
        assertThat(CpuUsage.compilerNanosBetween(Map.of(1L, 700L), null)).isEqualTo(-1);
    }
}
