package dev.eventstore.maintenance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code audit_log} table: who ran an administrative command, when, with which arguments,
 * and what it did. {@link #record} writes one row on the caller's connection, so the row
 * commits or rolls back with the change it describes.
 *
 * <p>Who: the database role and the login ({@code db_user}, {@code session_user_name}) and when
 * ({@code occurred_at}) are taken from the session by the function {@code record_audit}, which
 * the caller cannot steer; the operating-system account and host are the process's own report. Arguments never carry a
 * secret: the value of any option whose name mentions a password, secret, token, credential or
 * JAAS configuration is replaced by {@code ***}, and so is a {@code password=} inside a URL.
 */
public final class AuditLog {

    static final String MASK = "***";
    private static final Pattern SECRET_OPTION =
            Pattern.compile("(?i)^--?[a-z0-9._-]*(password|passwd|secret|token|credential|jaas)[a-z0-9._-]*$");
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final SchemaName schema;

    public AuditLog(SchemaName schema) {
        this.schema = schema;
    }

    /**
     * Writes one audit row in the caller's transaction and returns its id.
     *
     * @param command the command, e.g. {@code cleanup}
     * @param arguments its command-line arguments as given; secrets are masked here
     * @param details what it did (serialised as JSON), or {@code null}
     */
    public long record(Connection connection, String command, List<String> arguments, Map<String, ?> details)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(SqlResource.load("insert_audit_log", schema))) {
            insert.setString(1, command);
            insert.setArray(2, connection.createArrayOf("text", withoutSecrets(arguments).toArray()));
            insert.setString(3, details == null ? null : json(details));
            insert.setString(4, System.getProperty("user.name"));
            insert.setString(5, hostName());
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Whether this connection's role may write audit rows (EXECUTE on {@code record_audit}). */
    public boolean mayRecord(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(SqlResource.load("may_record_audit", schema));
             ResultSet rs = query.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** The arguments with every secret replaced by {@value #MASK}. */
    static List<String> withoutSecrets(List<String> arguments) {
        List<String> masked = new ArrayList<>(arguments.size());
        boolean nextIsSecret = false;
        for (String argument : arguments) {
            if (nextIsSecret) {
                masked.add(MASK);
                nextIsSecret = false;
                continue;
            }
            int equals = argument.indexOf('=');
            String name = argument.startsWith("-") && equals > 0 ? argument.substring(0, equals) : argument;
            if (SECRET_OPTION.matcher(name).matches()) {
                if (equals > 0 && argument.startsWith("-")) {
                    masked.add(name + "=" + MASK);
                } else {
                    masked.add(argument);
                    nextIsSecret = true;
                }
                continue;
            }
            String lower = argument.toLowerCase(Locale.ROOT);
            masked.add(lower.contains("password=") ? PostgresErrors.mask(argument) : argument);
        }
        return masked;
    }

    private static String json(Map<String, ?> details) {
        try {
            return JSON.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details are not serialisable: " + e.getMessage(), e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return null;
        }
    }
}
