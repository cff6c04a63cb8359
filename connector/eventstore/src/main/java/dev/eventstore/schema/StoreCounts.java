package dev.eventstore.schema;

/** Row counts of the three tables: what {@code reset} would delete. */
public record StoreCounts(long events, long streams, long subscriptions) {

    public boolean isEmpty() {
        return events == 0 && streams == 0 && subscriptions == 0;
    }
}
