package dev.eventstore;

/**
 * The stream was not at the version the caller expected (another writer got there first); nothing
 * was written. Read the stream again, decide again, and retry with the new version.
 */
public class WrongExpectedVersionException extends EventStoreException {

    private final String streamId;
    private final ExpectedVersion expected;
    private final long actualVersion;
    private final boolean streamExists;

    public WrongExpectedVersionException(String streamId, ExpectedVersion expected, long actualVersion, boolean streamExists) {
        super("wrong expected version for stream " + Text.quote(streamId) + ": expected " + expected
                + ", actual " + (streamExists ? Long.toString(actualVersion) : "no stream"));
        this.streamId = streamId;
        this.expected = expected;
        this.actualVersion = actualVersion;
        this.streamExists = streamExists;
    }

    /** For a conflict whose versions PostgreSQL did not report; {@link #actualVersion()} is -1. */
    public WrongExpectedVersionException(String streamId, ExpectedVersion expected, String reason) {
        super("wrong expected version for stream " + Text.quote(streamId) + ": expected " + expected + ", " + reason);
        this.streamId = streamId;
        this.expected = expected;
        this.actualVersion = -1;
        this.streamExists = true;
    }

    public String streamId() {
        return streamId;
    }

    public ExpectedVersion expected() {
        return expected;
    }

    /** The stream's version when the append was refused (0 when the stream does not exist, -1 if unknown). */
    public long actualVersion() {
        return actualVersion;
    }

    public boolean streamExists() {
        return streamExists;
    }
}
