package dev.eventstore.jdbc;

import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a failure from the driver into one line that names the problem for a person: the server
 * cannot be reached, the login was refused, the database does not exist. The one place where
 * connection-level SQLSTATEs are read; statement-level errors of appends and reads are mapped to
 * domain exceptions by the store itself.
 *
 * <p>Passwords never reach the output: {@link #mask(String)} is the one masking function of the
 * product, applied to every message, log line and stack trace the command line prints.
 */
public final class PostgresErrors {

    /**
     * A setting or parameter whose name ends in "password" ({@code password=}, {@code sslpassword=},
     * {@code db.password=}, {@code EVENTSTORE_DB_PASSWORD=}, {@code ssl.keystore.password =}),
     * its value up to the next separator. Bounded repetitions only: a 100,000-character argument
     * is masked in linear time.
     */
    private static final Pattern PASSWORD_PARAMETER =
            Pattern.compile("(?i)(?<![a-z0-9_.\\-])([a-z0-9_.\\-]{0,128}password\\s{0,8}=\\s{0,8})"
                    + "(\"[^\"]*\"|'[^']*'|[^&;,\\s)\\]}\"']*)");
    /** The user-info of a URL, {@code scheme://user:password@host}: everything up to the last '@'. */
    private static final Pattern URL_USER_INFO = Pattern.compile("(://)[^/\\s?#]*@");
    /**
     * {@code user:password@host} without a scheme, as the driver repeats it in "unknown host"
     * messages of a {@code jdbc:postgresql://u:p@h} URL, which it reads as a host name.
     */
    private static final Pattern BARE_USER_INFO = Pattern.compile("(?<![\\w.:/-])[^\\s/?#:@'\"=]+:[^\\s/?#]*@");
    private static final String MASK = "***";
    /** Secret values known to this process (passwords from the environment or the command line). */
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    /** Shorter values are not masked literally: they would mask ordinary words. */
    static final int MIN_SECRET_LENGTH = 4;

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
                return mask("cannot reach PostgreSQL: unknown host " + t.getMessage());
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

    /**
     * {@code text} with every secret masked: the user-info of URLs ({@code postgresql://u:p@h},
     * {@code jdbc:postgresql://u:p@h}, {@code u:p@h}), every {@code ...password=} parameter or
     * setting ({@code ?password=}, {@code &password=}, {@code sslpassword=}, {@code db.password=},
     * {@code EVENTSTORE_DB_PASSWORD=}), and every value registered with {@link #registerSecret}.
     */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = text;
        for (String secret : SECRETS.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            if (masked.contains(secret)) {
                masked = masked.replace(secret, MASK);
            }
        }
        masked = URL_USER_INFO.matcher(masked).replaceAll("$1" + MASK + "@");
        masked = BARE_USER_INFO.matcher(masked).replaceAll(MASK + "@");
        Matcher parameter = PASSWORD_PARAMETER.matcher(masked);
        return parameter.find() ? parameter.replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK)) : masked;
    }

    /**
     * Makes {@link #mask} mask {@code secret} wherever it appears, whatever surrounds it: a password
     * given in the environment or on the command line. Values shorter than 4 characters are
     * ignored (they would mask ordinary words); they are still masked where a pattern finds them.
     */
    public static void registerSecret(String secret) {
        if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
            SECRETS.add(secret);
        }
    }

    /**
     * Registers the secrets a URL carries in its user-info or password parameters, so that they
     * are masked even where a message repeats them without the URL around them.
     */
    public static void registerSecretsOf(String url) {
        if (url == null) {
            return;
        }
        Matcher userInfo = Pattern.compile("^(?:[a-z][a-z0-9+.\\-]*:)*//([^/?#]*)@").matcher(url);
        if (userInfo.find()) {
            String info = userInfo.group(1);
            int colon = info.indexOf(':');
            if (colon >= 0) {
                registerSecret(info.substring(colon + 1));
            }
        }
        Matcher parameter = PASSWORD_PARAMETER.matcher(url);
        while (parameter.find()) {
            registerSecret(unquote(parameter.group(2)));
        }
    }

    private static String unquote(String value) {
        return value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'")) ? value.substring(1, value.length() - 1) : value;
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
