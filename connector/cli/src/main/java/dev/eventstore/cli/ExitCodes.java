package dev.eventstore.cli;

/** Exit codes of {@code eventstore}, documented in the README. */
public final class ExitCodes {

    /** The command did what it was asked. */
    public static final int OK = 0;
    /** The command failed or refused (e.g. without --force); stderr says why in one line. */
    public static final int FAILURE = 1;
    /** The command line itself was wrong: unknown option, missing or malformed argument. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
