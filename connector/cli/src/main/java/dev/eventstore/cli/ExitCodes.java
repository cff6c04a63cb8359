package dev.eventstore.cli;

/** Exit codes of {@code eventstore}, documented in the README and in docs/cli.md. */
public final class ExitCodes {

    /** The command did what it was asked. */
    public static final int OK = 0;
    /** The command failed or refused (e.g. without --force); stderr says why in one line. */
    public static final int FAILURE = 1;
    /** The command line itself was wrong: unknown option, missing or malformed argument. */
    public static final int USAGE = 2;
    /**
     * {@code verify} could not check: PostgreSQL or Kafka unreachable or refusing, a category with
     * no stored stream, or events the bridge has not yet published (not conclusive). Apart from
     * {@link #FAILURE}, which for {@code verify} means it checked and found a problem.
     */
    public static final int NOT_CHECKED = 3;
    /** {@code wait}: the event was not reached within {@code --timeout}; stderr says where the stream stands. */
    public static final int TIMED_OUT = 4;

    /** The exit codes as the reference lists them, in order. */
    static final java.util.List<String> DESCRIPTIONS = java.util.List.of(
            OK + ": done (verify: Kafka holds every stored event, each stream in order)",
            FAILURE + ": failed or refused; stderr says why in one line (verify: found missing or out-of-order events)",
            USAGE + ": wrong command line: unknown option, missing or malformed argument",
            NOT_CHECKED + ": verify only: could not check (PostgreSQL or Kafka unreachable, no such category, or events"
                    + " not yet published: not conclusive)",
            TIMED_OUT + ": wait only: the event was not in Kafka (or not consumed by the group) within --timeout");

    private ExitCodes() {
    }
}
