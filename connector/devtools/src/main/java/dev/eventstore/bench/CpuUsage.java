package dev.eventstore.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where a drain's CPU time goes, from {@code /proc} (Linux): the machine's busy time, this JVM's
 * (the embedded broker, the publisher under test, the Connect worker: every thread of the
 * benchmark), and PostgreSQL's processes (the walsender decoding the WAL among them). Elsewhere
 * the figures are absent and the rows say so.
 */
final class CpuUsage {

    /** USER_HZ: the unit of {@code /proc} CPU times on Linux. */
    private static final double TICK_NANOS = 10_000_000.0;

    /** CPU times in nanoseconds at one moment; -1 where unknown. */
    record Sample(long wall, long machineBusy, long jvm, long postgres) {
    }

    private CpuUsage() {
    }

    static Sample sample() {
        return new Sample(System.nanoTime(), machineBusy(), jvmCpuNanos(), postgres());
    }

    /**
     * One note: cores busy over the interval and CPU time per event, this JVM's and PostgreSQL's
     * share, e.g. "CPU 1.97 of 2 cores busy, 71 µs per event: this JVM 49, PostgreSQL 19, other 3".
     */
    static String describe(Sample from, Sample to, long events) {
        return describe(from, to, events, null, 0);
    }

    /**
     * As {@link #describe(Sample, Sample, long)}, with the CPU time {@code childNanos} of a
     * publisher in a process of its own ({@code child} names it) taken out of "other".
     */
    static String describe(Sample from, Sample to, long events, String child, long childNanos) {
        if (from.machineBusy() < 0 || to.machineBusy() < 0 || events <= 0) {
            return "CPU not measured here (no /proc)";
        }
        double wall = to.wall() - from.wall();
        double busy = to.machineBusy() - from.machineBusy();
        double jvm = from.jvm() < 0 ? 0 : to.jvm() - from.jvm();
        double postgres = Math.max(0, to.postgres() - from.postgres()); // a backend that ended takes its time along
        double other = Math.max(0, busy - jvm - postgres - childNanos);
        return String.format(Locale.ROOT, "CPU %.2f of %d cores busy, %.0f µs per event: %sthis JVM %.0f, PostgreSQL %.0f, other %.0f",
                busy / wall, Runtime.getRuntime().availableProcessors(), busy / events / 1000,
                child == null ? "" : String.format(Locale.ROOT, "%s %.0f, ", child, childNanos / (double) events / 1000),
                jvm / events / 1000, postgres / events / 1000, other / events / 1000);
    }

    /** The machine's busy CPU time (all but idle and iowait) from {@code /proc/stat}, or -1. */
    private static long machineBusy() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] fields = first.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(fields[i]);
                }
            }
            return (long) (busy * TICK_NANOS);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** This JVM's CPU time, every thread, or -1. */
    static long jvmCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * User and system time of each JIT compiler thread ({@code C1 CompilerThread0}, {@code C2
     * CompilerThread0}, ...) of process {@code pid}, by thread id; {@code null} where {@code /proc}
     * cannot tell or no thread has a compiler's name (another JIT, or none).
     */
    static Map<Long, Long> compilerThreads(long pid) {
        Map<Long, Long> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close);
                    if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
                        continue;
                    }
                    String[] fields = stat.substring(close + 2).split(" ");
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                    threads.put(Long.parseLong(task.getFileName().toString()), (long) (ticks * TICK_NANOS));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while read (the JVM stops idle compiler threads on larger machines)
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return threads.isEmpty() ? null : threads;
    }

    /**
     * CPU time the compiler threads spent between two {@link #compilerThreads} readings, or -1 if
     * either is unknown: the threads alive at the second, each from its first reading (0 if it
     * started since), so that a thread ended in between cannot make it negative.
     */
    static long compilerNanosBetween(Map<Long, Long> before, Map<Long, Long> after) {
        if (before == null || after == null) {
            return -1;
        }
        long total = 0;
        for (Map.Entry<Long, Long> thread : after.entrySet()) {
            total += Math.max(0, thread.getValue() - before.getOrDefault(thread.getKey(), 0L));
        }
        return total;
    }

    /** User and system time of every process named {@code postgres} on this machine, or 0. */
    private static long postgres() {
        long total = 0;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try {
                    String stat = Files.readString(process.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (open < 0 || close < 0 || !stat.substring(open + 1, close).equals("postgres")) {
                        continue;
                    }
                    String[] fields = stat.substring(close + 2).split(" ");
                    total += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                } catch (IOException | RuntimeException gone) {
                    // the process ended while read
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return (long) (total * TICK_NANOS);
    }
}
