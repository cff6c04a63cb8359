package dev.eventstore.cli;

/**
 * A command cannot do what it was asked (refused without --force, bad argument, missing
 * setting). Printed as one line on stderr; the process exits with {@link #exitCode()}.
 */
public class CommandFailedException extends RuntimeException {

    private final int exitCode;

    public CommandFailedException(String message) {
        this(message, ExitCodes.FAILURE);
    }

    public CommandFailedException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** With the failure that caused it, for {@code --verbose}'s stack trace. */
    public CommandFailedException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
