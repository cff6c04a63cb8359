package dev.eventstore.cli;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.maintenance.AuditLog;
import dev.eventstore.schema.SchemaName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * Writes the audit row of an administrative command (migrate, reset, replay, republish, roles;
 * cleanup writes its own inside its transaction): who, when, the arguments without secrets, and
 * what the command did. A command that did its work is not failed afterwards because its audit
 * row could not be written: it says so on stderr instead. A command run with a login that may
 * not write audit rows at all (republish or replay as the writer role) is refused before it does
 * anything, by {@link #requireRecordable}.
 */
final class AdminAudit {

    private AdminAudit() {
    }

    /**
     * Refuses, with one line, a command whose login may not write audit rows (no EXECUTE on
     * {@code record_audit}): it would change something and leave no trace.
     */
    static void requireRecordable(ConnectionSettings connection, SchemaName schema, String command) {
        boolean may;
        try (Connection c = connection.dataSource().getConnection()) {
            may = new AuditLog(schema).mayRecord(c);
        } catch (SQLException | RuntimeException e) {
            throw new CommandFailedException("cannot run " + command + ": cannot check that its audit row can be written: "
                    + PostgresErrors.describe(e));
        }
        if (!may) {
            String who = connection.user() == null ? "this login" : "role " + connection.user();
            throw new CommandFailedException("cannot run " + command + ": " + who + " may not write audit rows (EXECUTE on "
                    + schema + ".record_audit); run it with the bridge's login (a member of " + schema + "_cdc)"
                    + " or the schema's owner");
        }
    }

    static void record(EventStoreCommand root, ConnectionSettings connection, SchemaName schema, String command,
                       Map<String, ?> details) {
        try (Connection c = connection.dataSource().getConnection()) {
            new AuditLog(schema).record(c, command, root.arguments(), details);
        } catch (SQLException | RuntimeException e) {
            root.err().println("eventstore: warning: the audit row of " + command + " was not written: "
                    + PostgresErrors.describe(e));
        }
    }
}
