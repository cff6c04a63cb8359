package dev.eventstore.cli;

import dev.eventstore.admin.ProgressListener;
import java.io.PrintWriter;

/**
 * A progress bar on stderr, redrawn in place at most a few times a second; on a pipe (no
 * terminal) it prints a line every ten seconds instead, so logs stay readable.
 */
final class ProgressBar implements ProgressListener {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String unit;
    private final boolean terminal = System.console() != null;
    private final long started = System.nanoTime();
    private long lastDraw = started;

    ProgressBar(PrintWriter err, String unit) {
        this.err = err;
        this.unit = unit;
    }

    @Override
    public synchronized void progress(long done, long total) {
        long now = System.nanoTime();
        if (done == 0) {
            return;
        }
        long interval = terminal ? 200_000_000L : 10_000_000_000L;
        if (now - lastDraw < interval && done < total) {
            return;
        }
        lastDraw = now;
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        String rate = String.format("%,.0f %s/s", done / seconds, unit);
        String line;
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, WIDTH * done / total);
            line = String.format("[%s%s] %3d%% %,d/%,d %s  %s", "=".repeat(filled), " ".repeat(WIDTH - filled),
                    100 * done / total, done, total, unit, rate);
        } else {
            line = String.format("%,d %s  %s", done, unit, rate);
        }
        if (terminal) {
            err.print("\r" + line);
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Ends the bar's line. */
    void finish() {
        if (terminal) {
            err.println();
            err.flush();
        }
    }
}
