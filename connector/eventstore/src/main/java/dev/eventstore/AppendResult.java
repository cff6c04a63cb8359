package dev.eventstore;

import java.util.List;

/**
 * What one append wrote.
 *
 * @param streamId the stream appended to
 * @param firstVersion the stream version of the batch's first event
 * @param lastVersion the stream version of its last event, now the stream's version
 * @param eventIds the ids of the events written, in batch order
 */
public record AppendResult(String streamId, long firstVersion, long lastVersion, List<Long> eventIds) {

    public AppendResult {
        eventIds = List.copyOf(eventIds);
    }

    public int count() {
        return eventIds.size();
    }

    /** The stream's version after the append: pass it as {@link ExpectedVersion#exactly} to the next one. */
    public ExpectedVersion nextExpectedVersion() {
        return ExpectedVersion.exactly(lastVersion);
    }
}
