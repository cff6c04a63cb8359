package dev.eventstore;

import java.util.Locale;

/**
 * What the caller believes about a stream's version when it appends or deletes: the optimistic
 * concurrency check. Stream versions count events: 1 after the first event, 0 before any.
 *
 * <ul>
 *   <li>{@link #ANY}: no check;</li>
 *   <li>{@link #NO_STREAM}: the stream must not exist yet;</li>
 *   <li>{@link #STREAM_EXISTS}: the stream must exist;</li>
 *   <li>{@link #exactly(long) exactly(n)}: the stream's version must be {@code n} ({@code 0}: no
 *       event yet).</li>
 * </ul>
 *
 * <p>In SQL ({@link #sqlValue()}) the four are encoded as one bigint: {@code -1} any, {@code -2}
 * no stream, {@code -3} stream exists, {@code n >= 0} exactly n.
 */
public final class ExpectedVersion {

    public static final ExpectedVersion ANY = new ExpectedVersion(-1);
    public static final ExpectedVersion NO_STREAM = new ExpectedVersion(-2);
    public static final ExpectedVersion STREAM_EXISTS = new ExpectedVersion(-3);

    private final long value;

    private ExpectedVersion(long value) {
        this.value = value;
    }

    /**
     * The stream must be at exactly {@code version}.
     *
     * @throws InvalidRequestException if {@code version} is negative
     */
    public static ExpectedVersion exactly(long version) {
        if (version < 0) {
            throw new InvalidRequestException("invalid expected version " + version + ": a stream version is 0 or more");
        }
        return new ExpectedVersion(version);
    }

    /**
     * Parses {@code any}, {@code no_stream}, {@code stream_exists} (any case, {@code -} or
     * {@code _}) or a version number, as a command line or configuration gives it.
     *
     * @throws InvalidRequestException if {@code text} is none of these, or a negative number
     */
    public static ExpectedVersion parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException("invalid expected version: empty; use any, no_stream, stream_exists or a version number");
        }
        String word = text.trim().toLowerCase(Locale.ROOT);
        if (!word.isEmpty() && Character.isLetter(word.charAt(0))) {
            word = word.replace('-', '_');
        }
        switch (word) {
            case "any":
                return ANY;
            case "no_stream":
                return NO_STREAM;
            case "stream_exists":
                return STREAM_EXISTS;
            default:
                break;
        }
        long version;
        try {
            version = Long.parseLong(word);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("invalid expected version '" + Text.quoteless(text)
                    + "': use any, no_stream, stream_exists or a version number");
        }
        return exactly(version);
    }

    /** The SQL encoding: -1 any, -2 no stream, -3 stream exists, n >= 0 exactly n. */
    public long sqlValue() {
        return value;
    }

    /** Decodes {@link #sqlValue()}. */
    public static ExpectedVersion fromSqlValue(long value) {
        if (value == -1) {
            return ANY;
        }
        if (value == -2) {
            return NO_STREAM;
        }
        if (value == -3) {
            return STREAM_EXISTS;
        }
        return exactly(value);
    }

    /** Whether this is an exact version. */
    public boolean isExact() {
        return value >= 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ExpectedVersion e && e.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    /** {@code any}, {@code no stream}, {@code stream exists} or the version number. */
    @Override
    public String toString() {
        if (value == -1) {
            return "any";
        }
        if (value == -2) {
            return "no stream";
        }
        if (value == -3) {
            return "stream exists";
        }
        return Long.toString(value);
    }
}
