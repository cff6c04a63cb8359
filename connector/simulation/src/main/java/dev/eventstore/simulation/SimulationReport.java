package dev.eventstore.simulation;

import java.time.Duration;

/**
 * What a simulation run did (or has done so far).
 *
 * @param gamesStarted games whose first events were appended
 * @param gamesCompleted games appended to their GameCompleted event
 * @param events events appended
 * @param appends append calls (one per game command: one to a few events each)
 * @param elapsed time since the run started
 */
public record SimulationReport(long gamesStarted, long gamesCompleted, long events, long appends, Duration elapsed) {

    /** Events appended per second of {@link #elapsed()}. */
    public double eventsPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : events / seconds;
    }

    @Override
    public String toString() {
        return String.format("%d games started, %d completed, %d events in %d appends, %.1f s, %.0f events/s",
                gamesStarted, gamesCompleted, events, appends, elapsed.toNanos() / 1e9, eventsPerSecond());
    }
}
