package dev.eventstore;

import dev.eventstore.jdbc.PostgresErrors;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The one place where PostgreSQL errors become domain exceptions, by SQLSTATE and constraint name.
 * The SQLSTATEs of class {@code ZE} ("event store") are raised by the store's SQL functions
 * ({@code migrations/R__1_function_<name>.sql}, each naming the ones it raises): ZE001 wrong expected
 * version, ZE002 stream deleted, ZE003 stream not found, ZE004 invalid stream id, ZE005 invalid event,
 * ZE006 invalid argument, ZE007 events are immutable.
 */
final class StoreErrors {

    static final String WRONG_EXPECTED_VERSION = "ZE001";
    static final String STREAM_DELETED = "ZE002";
    static final String STREAM_NOT_FOUND = "ZE003";
    static final String INVALID_STREAM_ID = "ZE004";
    static final String INVALID_EVENT = "ZE005";
    static final String INVALID_ARGUMENT = "ZE006";
    static final String EVENTS_IMMUTABLE = "ZE007";

    static final String UNIQUE_VIOLATION = "23505";
    static final String FOREIGN_KEY_VIOLATION = "23503";

    private static final Pattern VERSIONS =
            Pattern.compile("expected=(-?\\d+) actual=(-?\\d+) exists=(true|false)$");
    private static final Pattern EVENT = Pattern.compile("^index=(\\d+) reason=(.*)$", Pattern.DOTALL);

    private StoreErrors() {
    }

    /**
     * The domain exception for {@code failure} of {@code action} (e.g. "append") on
     * {@code streamId} (or {@code null}) with {@code expected} (or {@code null}).
     */
    static EventStoreException translate(SQLException failure, String action, String streamId, ExpectedVersion expected) {
        String state = failure.getSQLState() == null ? "" : failure.getSQLState();
        ServerErrorMessage server = failure instanceof PSQLException psql ? psql.getServerErrorMessage() : null;
        String detail = server == null || server.getDetail() == null ? "" : server.getDetail();
        String constraint = server == null ? null : server.getConstraint();
        String message = server != null && server.getMessage() != null ? server.getMessage() : firstLine(failure.getMessage());

        switch (state) {
            case WRONG_EXPECTED_VERSION: {
                Matcher m = VERSIONS.matcher(detail);
                if (m.find()) {
                    ExpectedVersion reported = expected != null ? expected : ExpectedVersion.fromSqlValue(Long.parseLong(m.group(1)));
                    return new WrongExpectedVersionException(streamId, reported, Long.parseLong(m.group(2)),
                            Boolean.parseBoolean(m.group(3)));
                }
                return new WrongExpectedVersionException(streamId, expected, message);
            }
            case STREAM_DELETED:
                return new StreamDeletedException(streamId, message);
            case STREAM_NOT_FOUND:
                return new StreamNotFoundException(streamId);
            case INVALID_STREAM_ID:
            case INVALID_ARGUMENT:
                return new InvalidRequestException(message, failure);
            case INVALID_EVENT: {
                Matcher m = EVENT.matcher(detail);
                if (m.find()) {
                    return new InvalidEventException(streamId, Integer.parseInt(m.group(1)), null, m.group(2), failure);
                }
                return new InvalidEventException(streamId, -1, null, message, failure);
            }
            case EVENTS_IMMUTABLE:
                return new ImmutableEventException(message, failure);
            case UNIQUE_VIOLATION:
                if ("uq_events_stream_version".equals(constraint) || "pk_event_streams".equals(constraint)) {
                    // Only a writer that bypasses append_to_stream's lock can cause this.
                    return new WrongExpectedVersionException(streamId, expected,
                            "another writer appended to the stream concurrently (" + constraint + ")");
                }
                break;
            case FOREIGN_KEY_VIOLATION:
                if ("fk_subscriptions_stream".equals(constraint) || "fk_events_stream".equals(constraint)) {
                    return new StreamNotFoundException(streamId);
                }
                break;
            case "22P02": // invalid text representation (invalid JSON)
            case "22P05": // untranslatable character (\u0000 in jsonb)
            case "22003": // numeric value out of range
            case "22021": // character not in repertoire
                if ("append".equals(action)) {
                    return new InvalidEventException(streamId, -1, null, "PostgreSQL refused an event: " + message, failure);
                }
                break;
            case "54000": // program limit exceeded
                return new InvalidRequestException(action + " refused by PostgreSQL: " + message, failure);
            case "42883": // undefined function
            case "42P01": // undefined table
            case "3F000": // invalid schema name
                return new EventStoreException("the event store schema is missing or not migrated (" + message
                        + "): run `eventstore migrate`", failure);
            default:
                break;
        }
        return new EventStoreException(action + (streamId == null ? "" : " on stream " + Text.quote(streamId))
                + " failed: " + PostgresErrors.describe(failure), failure);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline >= 0 ? message.substring(0, newline) : message;
    }
}
