package dev.eventstore.bench;

import org.HdrHistogram.Histogram;

/**
 * A latency distribution summarised in milliseconds, from an HdrHistogram recorded in
 * microseconds.
 *
 * @param count how many values were recorded
 */
record Latency(double p50Ms, double p99Ms, double p999Ms, double maxMs, long count) {

    /** Values above this are clamped when recorded: one hour, in microseconds. */
    static final long HIGHEST_MICROS = 3_600_000_000L;

    /** A histogram of microseconds with three significant digits, as every workload records. */
    static Histogram newHistogram() {
        return new Histogram(HIGHEST_MICROS, 3);
    }

    /** Records {@code nanos} into {@code histogram} as microseconds, clamped to its range. */
    static void record(Histogram histogram, long nanos) {
        long micros = Math.max(0, nanos / 1000);
        histogram.recordValue(Math.min(micros, HIGHEST_MICROS));
    }

    /** The summary of {@code histogram}, or {@code null} when it is empty. */
    static Latency of(Histogram histogram) {
        if (histogram == null || histogram.getTotalCount() == 0) {
            return null;
        }
        return new Latency(ms(histogram.getValueAtPercentile(50)), ms(histogram.getValueAtPercentile(99)),
                ms(histogram.getValueAtPercentile(99.9)), ms(histogram.getMaxValue()), histogram.getTotalCount());
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
