package dev.eventstore;

import java.time.Duration;

/**
 * A wait of {@link EventStore#awaitPublished} or {@link EventStore#awaitConsumed} ran out of time.
 * The message names the event, the consumer group and where each stood when the time ran out: the
 * stream's last published record (topic, partition, offset) and the group's last consumed one. The
 * event itself is stored: only its delivery is late.
 */
public final class AwaitTimeoutException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String group;
    private final String streamId;
    private final long neededVersion;
    private final long reachedVersion;

    AwaitTimeoutException(String message, String group, String streamId, long neededVersion, long reachedVersion) {
        super(message);
        this.group = group;
        this.streamId = streamId;
        this.neededVersion = neededVersion;
        this.reachedVersion = reachedVersion;
    }

    /** The consumer group waited for, or {@code null} for a wait until published. */
    public String group() {
        return group;
    }

    /** The stream of the event waited for. */
    public String streamId() {
        return streamId;
    }

    /** The stream version that had to be reached. */
    public long neededVersion() {
        return neededVersion;
    }

    /** The stream version reached when the time ran out (0: none of the stream's events). */
    public long reachedVersion() {
        return reachedVersion;
    }

    static String describe(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}
