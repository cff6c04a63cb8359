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
 * row could not be written: it says so on stderr instead.
 */
final class AdminAudit {

    private AdminAudit() {
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
