package dev.eventstore.bridge;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One offset mirror writes a store at a time: a PostgreSQL session-level advisory lock keyed by
 * the store's schema (its OID, as {@link BridgeLock}) in a lock space of its own ("ESMR"), so it
 * never meets the bridge's lock. The mirror of {@code eventstore mirror} and the one built into
 * {@code eventstore run} take the same lock: whichever takes it first writes, the others wait.
 *
 * <p>Held on a connection of its own. {@link #tryHold} is called before each pass: it checks that
 * the lock's session still answers and, when it does not (PostgreSQL restarted, the session was
 * terminated), tries to take the lock again on a new session; a mirror that finds another session
 * holding it waits, saying so once (and once when it takes over). Not thread-safe: the mirror's
 * one thread uses it.
 */
final class MirrorLock implements AutoCloseable {

    /** The high 32 bits of the lock's key (pg_locks.classid): "ESMR". */
    static final long LOCK_SPACE = 0x45534D52L;
    private static final int VALID_TIMEOUT_SECONDS = 2;
    private static final Logger log = LoggerFactory.getLogger(Reachability.LOGGER);

    private final ConnectionSettings settings;
    private final SchemaName schema;
    private final String holder;
    private Connection connection;
    private boolean waiting;

    MirrorLock(ConnectionSettings settings, SchemaName schema, String holder) {
        this.settings = settings;
        this.schema = schema;
        this.holder = holder;
    }

    /**
     * Whether this mirror holds the lock now: still held, or taken just now.
     *
     * @throws SQLException PostgreSQL cannot be reached (the lock is then not held)
     */
    boolean tryHold() throws SQLException {
        if (connection != null) {
            boolean valid;
            try {
                valid = connection.isValid(VALID_TIMEOUT_SECONDS);
            } catch (SQLException e) {
                valid = false;
            }
            if (valid) {
                return true;
            }
            closeQuietly();
        }
        Connection opened = settings.dataSource().getConnection();
        boolean acquired;
        try {
            opened.setAutoCommit(true);
            try (PreparedStatement name = opened.prepareStatement(SqlResource.load("bridge_lock_session"))) {
                name.setString(1, holder.length() > 63 ? holder.substring(0, 63) : holder);
                name.execute();
            }
            try (PreparedStatement lock = opened.prepareStatement(SqlResource.load("bridge_lock"))) {
                lock.setLong(1, LOCK_SPACE);
                lock.setString(2, schema.value());
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("schema " + schema + " does not exist in this database: run"
                                + " `eventstore migrate` (or set schema)", "3F000");
                    }
                    acquired = rs.getBoolean(1);
                }
            }
            if (!acquired) {
                if (!waiting) {
                    waiting = true;
                    log.info("The offset mirror waits: another offset mirror of schema {} writes ({} holds the mirror"
                            + " lock); this one takes over when it stops", schema, holderOf(opened));
                }
                opened.close();
                return false;
            }
        } catch (SQLException | RuntimeException e) {
            try {
                opened.close();
            } catch (SQLException ignored) {
                // thrown away
            }
            throw e;
        }
        connection = opened;
        if (waiting) {
            waiting = false;
            log.info("The offset mirror took the mirror lock of schema {}: it writes now", schema);
        }
        return true;
    }

    /** Whether this mirror waits for another one (as of the last {@link #tryHold}). */
    boolean waiting() {
        return waiting;
    }

    private String holderOf(Connection connection) {
        try (PreparedStatement query = connection.prepareStatement(SqlResource.load("bridge_lock_holder"))) {
            query.setString(1, schema.value());
            query.setLong(2, LOCK_SPACE);
            try (ResultSet rs = query.executeQuery()) {
                if (!rs.next()) {
                    return "a session that has just ended";
                }
                String application = rs.getString("application_name");
                return "PostgreSQL backend pid " + rs.getInt("pid")
                        + (application == null || application.isEmpty() ? "" : ", application_name '"
                        + PostgresErrors.mask(application) + "'");
            }
        } catch (SQLException e) {
            return "another session";
        }
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the session ends either way, and the lock with it
            }
            connection = null;
        }
    }

    /** Releases the lock (ends its session). */
    @Override
    public void close() {
        if (connection != null) {
            try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_catalog.pg_advisory_unlock_all()")) {
                unlock.execute();
            } catch (SQLException ignored) {
                // the session is gone, and the lock with it
            }
        }
        closeQuietly();
    }
}
