package dev.eventstore.cli;

import dev.eventstore.admin.ProgressListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The progress indicator on stderr of the commands that take a while. Two shapes, one drawing:
 * <ul>
 * <li>{@linkplain #counting counted} units ({@code republish}: events), as a {@link ProgressListener}:
 * a bar of units done out of the total, the count and the rate;
 * <li>{@linkplain #Progress(PrintWriter, boolean, int) steps and timed cases} ({@code bench}): what
 * runs ({@code [case/cases]} and its name), a bar of the time spent out of the time expected, extra
 * words, and the run's total time.
 * </ul>
 * On a terminal one line is rewritten in place (counted units at most five times a second, steps
 * four times a second by a daemon thread); otherwise, so that logs stay readable, counted units
 * print a line every ten seconds and steps a line each.
 */
public final class Progress implements ProgressListener, AutoCloseable {

    private static final int COUNT_BAR = 30;
    private static final int TIME_BAR = 20;
    private static final long COUNT_REDRAW_NANOS = 200_000_000L;
    private static final long COUNT_LOG_NANOS = 10_000_000_000L;

    private final PrintWriter err;
    private final boolean live;
    private final String unit;
    private final String name;
    private final long runStart = System.nanoTime();
    private final ScheduledExecutorService ticker;
    private int lastLength;

    // Counted units.
    private long lastCountDraw = runStart;

    // Steps and cases.
    private volatile int totalCases;
    private int caseNumber;
    private volatile String label = "starting";
    private volatile long caseStart = System.nanoTime();
    private volatile long expectedNanos;
    private volatile String detail = "";

    private Progress(PrintWriter err, boolean live, String unit, String name, int totalCases) {
        this.err = err;
        this.live = live;
        this.unit = unit;
        this.name = name;
        this.totalCases = totalCases;
        if (live && name != null) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, name + "-progress");
                thread.setDaemon(true);
                return thread;
            });
            ticker.scheduleAtFixedRate(this::redrawStep, 250, 250, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    /** Counts {@code unit}s (e.g. "events") told through {@link #progress}; live when stderr is a terminal. */
    public static Progress counting(PrintWriter err, String unit) {
        return new Progress(err, System.console() != null, unit, null, 0);
    }

    /** Steps and {@code totalCases} timed cases of the benchmark; {@code live} redraws one line in place. */
    public Progress(PrintWriter err, boolean live, int totalCases) {
        this(err, live, null, "bench", totalCases);
    }

    // ---------------------------------------------------------------- counted units

    @Override
    public synchronized void progress(long done, long total) {
        long now = System.nanoTime();
        if (done == 0) {
            return;
        }
        boolean finished = total > 0 && done >= total;
        if (!finished && now - lastCountDraw < (live ? COUNT_REDRAW_NANOS : COUNT_LOG_NANOS)) {
            return;
        }
        lastCountDraw = now;
        double seconds = Math.max(1e-3, (now - runStart) / 1e9);
        String rate = String.format("%,.0f %s/s", done / seconds, unit);
        String line = total > 0
                ? String.format("%s %3d%% %,d/%,d %s  %s", bar(COUNT_BAR, done, total, '=', ' '), 100 * done / total, done,
                        total, unit, rate)
                : String.format("%,d %s  %s", done, unit, rate);
        draw(line);
    }

    // ---------------------------------------------------------------- steps and cases

    /** The number of measured cases, once it is known. */
    public void total(int cases) {
        totalCases = cases;
    }

    /** A step that is not measured (starting servers, filling a stream). */
    public synchronized void phase(String text) {
        label = text;
        expectedNanos = 0;
        detail = "";
        caseStart = System.nanoTime();
        if (!live) {
            err.println(name + ": " + text + " ... (" + minutes(System.nanoTime() - runStart) + ")");
            err.flush();
        }
    }

    /** A measured case begins; {@code expected} is how long it should take. */
    public synchronized void startCase(String text, Duration expected) {
        caseNumber++;
        label = "[" + caseNumber + "/" + totalCases + "] " + text;
        expectedNanos = expected.toNanos();
        detail = "";
        caseStart = System.nanoTime();
        if (!live) {
            err.println(name + ": " + label + " (" + minutes(System.nanoTime() - runStart) + ")");
            err.flush();
        }
    }

    /** Extra words for the live line (a count, a phase of the case). */
    public void detail(String text) {
        detail = text;
    }

    /** Elapsed since the progress started. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - runStart);
    }

    private synchronized void redrawStep() {
        long elapsed = System.nanoTime() - caseStart;
        StringBuilder line = new StringBuilder(label);
        if (expectedNanos > 0) {
            line.append("  ").append(bar(TIME_BAR, elapsed, expectedNanos, '#', '.')).append(' ')
                    .append(String.format(Locale.ROOT, "%.1f/%.1f s", elapsed / 1e9, expectedNanos / 1e9));
        } else {
            line.append(String.format(Locale.ROOT, "  %.0f s", elapsed / 1e9));
        }
        if (!detail.isEmpty()) {
            line.append("  ").append(detail);
        }
        line.append(String.format(Locale.ROOT, "  (total %s)", minutes(System.nanoTime() - runStart)));
        draw(line.toString());
    }

    // ---------------------------------------------------------------- drawing

    /** {@code [====    ]}: {@code done} of {@code total} in {@code width} characters. */
    static String bar(int width, long done, long total, char filled, char empty) {
        int full = total <= 0 ? 0 : (int) Math.max(0, Math.min(width, width * done / total));
        return "[" + String.valueOf(filled).repeat(full) + String.valueOf(empty).repeat(width - full) + "]";
    }

    /** {@code m:ss} of {@code nanos}. */
    public static String minutes(long nanos) {
        long seconds = nanos / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    private void draw(String line) {
        if (live) {
            int length = line.length();
            err.print("\r" + line + (length < lastLength ? " ".repeat(lastLength - length) : ""));
            lastLength = length;
        } else {
            err.println(line);
        }
        err.flush();
    }

    /**
     * Ends the indicator: on a terminal its line is ended (counted units) or erased (steps); the
     * benchmark then prints its total time.
     */
    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            err.print("\r" + " ".repeat(lastLength) + "\r");
        } else if (live && lastLength > 0) {
            err.println();
        }
        if (name != null) {
            err.println(name + ": done in " + minutes(System.nanoTime() - runStart));
        }
        err.flush();
    }
}
