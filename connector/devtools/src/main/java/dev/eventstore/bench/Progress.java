package dev.eventstore.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The progress indicator on stderr. On a terminal one line is rewritten in place four times a
 * second (case number, what runs, a bar of its expected time); otherwise each case and setup step
 * is one line, so logs of CI runs stay readable.
 */
final class Progress implements AutoCloseable {

    private static final int BAR = 20;

    private final PrintWriter err;
    private final boolean live;
    private volatile int totalCases;
    private final long runStart = System.nanoTime();
    private final ScheduledExecutorService ticker;
    private int caseNumber;
    private volatile String label = "starting";
    private volatile long caseStart = System.nanoTime();
    private volatile long expectedNanos;
    private volatile String detail = "";
    private int lastLength;

    Progress(PrintWriter err, boolean live, int totalCases) {
        this.err = err;
        this.live = live;
        this.totalCases = totalCases;
        if (live) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "bench-progress");
                thread.setDaemon(true);
                return thread;
            });
            ticker.scheduleAtFixedRate(this::redraw, 250, 250, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    /** The number of measured cases, once it is known. */
    void total(int cases) {
        totalCases = cases;
    }

    /** A setup step that is not measured (starting servers, filling a stream). */
    synchronized void phase(String text) {
        label = text;
        expectedNanos = 0;
        detail = "";
        caseStart = System.nanoTime();
        if (!live) {
            err.println("bench: " + text + " ... (" + minutes(System.nanoTime() - runStart) + ")");
            err.flush();
        }
    }

    /** A measured case begins; {@code expected} is how long it should take. */
    synchronized void startCase(String text, Duration expected) {
        caseNumber++;
        label = "[" + caseNumber + "/" + totalCases + "] " + text;
        expectedNanos = expected.toNanos();
        detail = "";
        caseStart = System.nanoTime();
        if (!live) {
            err.println("bench: " + label + " (" + minutes(System.nanoTime() - runStart) + ")");
            err.flush();
        }
    }

    /** Extra words for the live line (a count, a phase of the case). */
    void detail(String text) {
        detail = text;
    }

    private synchronized void redraw() {
        long elapsed = System.nanoTime() - caseStart;
        StringBuilder line = new StringBuilder("\r").append(label);
        if (expectedNanos > 0) {
            int filled = (int) Math.min(BAR, BAR * elapsed / expectedNanos);
            line.append("  [").append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%.1f/%.1f s", elapsed / 1e9, expectedNanos / 1e9));
        } else {
            line.append(String.format(Locale.ROOT, "  %.0f s", elapsed / 1e9));
        }
        if (!detail.isEmpty()) {
            line.append("  ").append(detail);
        }
        line.append(String.format(Locale.ROOT, "  (total %s)", minutes(System.nanoTime() - runStart)));
        int length = line.length();
        if (length < lastLength) {
            line.append(" ".repeat(lastLength - length));
        }
        lastLength = length;
        err.print(line);
        err.flush();
    }

    static String minutes(long nanos) {
        long seconds = nanos / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    /** Elapsed since the run started. */
    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - runStart);
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            err.print("\r" + " ".repeat(lastLength) + "\r");
        }
        err.println("bench: done in " + minutes(System.nanoTime() - runStart));
        err.flush();
    }
}
