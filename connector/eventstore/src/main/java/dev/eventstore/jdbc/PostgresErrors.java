package dev.eventstore.jdbc;

import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * Turns a failure from the driver into one line that names the problem for a person: the server
 * cannot be reached, the login was refused, the database does not exist. The one place where
 * connection-level SQLSTATEs are read; statement-level errors of appends and reads are mapped to
 * domain exceptions by the store itself.
 *
 * <p>Passwords never reach the output: a {@code password=} parameter of a URL that a driver
 * message repeats is masked.
 */
public final class PostgresErrors {

    private static final Pattern PASSWORD_PARAMETER =
            Pattern.compile("(?i)(password=)[^&;\\s]*");

    private PostgresErrors() {
    }

    /** The first SQLException in the cause chain of {@code failure}, or {@code null}. */
    public static SQLException sqlCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    /** Whether {@code failure} is a failure to connect or log in, rather than of a statement. */
    public static boolean isConnectionFailure(Throwable failure) {
        SQLException sql = sqlCause(failure);
        if (sql == null) {
            return false;
        }
        String state = sql.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("28") || state.equals("3D000"));
    }

    /** One line describing {@code failure}, without stack trace or secrets. */
    public static String describe(Throwable failure) {
        SQLException sql = sqlCause(failure);
        if (sql != null) {
            return mask(describeSql(sql));
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "cannot reach PostgreSQL: unknown host " + t.getMessage();
            }
        }
        return mask(firstLine(failure.getMessage() != null ? failure.getMessage() : failure.toString()));
    }

    private static String describeSql(SQLException sql) {
        String state = sql.getSQLState() == null ? "" : sql.getSQLState();
        String message = firstSentence(sql.getMessage());
        // The server's severity adds nothing to a one-line error ("ERROR: permission denied ...").
        if (message.startsWith("ERROR: ")) {
            message = message.substring("ERROR: ".length());
        }
        if (state.equals("28P01") || state.equals("28000")) {
            return "PostgreSQL refused the login: " + message;
        }
        if (state.equals("3D000")) {
            return "PostgreSQL database not found: " + message;
        }
        if (state.startsWith("08")) {
            for (Throwable t = sql.getCause(); t != null; t = t.getCause()) {
                if (t instanceof UnknownHostException) {
                    return "cannot reach PostgreSQL: unknown host " + t.getMessage();
                }
            }
            return "cannot reach PostgreSQL: " + message;
        }
        return message + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
    }

    /** Masks {@code password=...} parameters. */
    public static String mask(String text) {
        return text == null ? null : PASSWORD_PARAMETER.matcher(text).replaceAll("$1***");
    }

    private static String firstSentence(String message) {
        String line = firstLine(message);
        // The driver adds advice after the first sentence ("Check that the hostname and port are
        // correct ..."): keep the fact, drop the boilerplate.
        int end = line.indexOf(". ");
        return end > 0 ? line.substring(0, end) : stripPeriod(line);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return (newline >= 0 ? message.substring(0, newline) : message).trim();
    }

    private static String stripPeriod(String line) {
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }
}
