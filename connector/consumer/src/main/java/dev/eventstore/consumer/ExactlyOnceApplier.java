package dev.eventstore.consumer;

import dev.eventstore.EventStoreException;
import dev.eventstore.StreamNotFoundException;
import dev.eventstore.SubscriptionStore;
import dev.eventstore.jdbc.PostgresErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one event exactly once: in one PostgreSQL transaction, the group's position in the
 * event's stream is recorded first (the duplicate check, under the row's lock), then the handler
 * runs, then both commit. A position already at or past the event rolls back without calling the
 * handler.
 */
final class ExactlyOnceApplier {

    private static final Logger log = LoggerFactory.getLogger(ExactlyOnceApplier.class);

    private final DataSource dataSource;
    private final SubscriptionStore subscriptions;
    private final EventHandler handler;
    private final String subscriptionId;

    ExactlyOnceApplier(DataSource dataSource, SubscriptionStore subscriptions, EventHandler handler, String subscriptionId) {
        this.dataSource = dataSource;
        this.subscriptions = subscriptions;
        this.handler = handler;
        this.subscriptionId = subscriptionId;
    }

    /**
     * One attempt at an event, in one transaction. {@code true} if applied, {@code false} if a
     * duplicate.
     *
     * @param checkpoint the Kafka position recorded with the event's ({@link RecordPositions#checkpoint})
     * @throws Failure what went wrong, and whether PostgreSQL itself failed
     */
    boolean apply(ConsumedEvent event, String checkpoint) throws Failure {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new Failure(e, true);
        }
        try {
            return applyOn(connection, event, checkpoint);
        } catch (Failure | RuntimeException | Error e) {
            rollbackQuietly(connection);
            throw e;
        } finally {
            closeQuietly(connection);
        }
    }

    private boolean applyOn(Connection connection, ConsumedEvent event, String checkpoint) throws Failure {
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            throw new Failure(e, true);
        }
        boolean moved;
        try {
            moved = subscriptions.recordPosition(connection, subscriptionId, event.streamId(), event.eventId(),
                    event.streamVersion(), checkpoint);
        } catch (StreamNotFoundException e) {
            // Not this store's event (a topic fed by another store, a store reset under a topic).
            throw new Failure(e, false);
        } catch (EventStoreException e) {
            throw new Failure(e, true);
        }
        try {
            if (!moved) {
                connection.rollback();
                return false;
            }
        } catch (SQLException e) {
            throw new Failure(e, true);
        }
        try {
            handler.handle(event, connection);
        } catch (Exception e) {
            throw new Failure(e, isConnectionFailure(e));
        }
        try {
            if (connection.isClosed() || connection.getAutoCommit()) {
                throw new Failure(new IllegalStateException("the handler " + (connection.isClosed()
                        ? "closed the connection" : "turned auto-commit on")
                        + ": it must leave the transaction to the subscriber"), false);
            }
            connection.commit();
            return true;
        } catch (SQLException e) {
            // A deferred constraint or a serialization failure is the handler's; anything else is PostgreSQL's.
            String state = e.getSQLState();
            boolean handlers = state != null && (state.startsWith("23") || state.startsWith("40"));
            throw new Failure(e, !handlers);
        }
    }

    private static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLRecoverableException) {
                return true;
            }
        }
        return PostgresErrors.isConnectionFailure(e);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.isClosed() && !connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("Rollback failed: {}", e.getMessage());
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            if (!connection.isClosed()) {
                connection.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("Resetting auto-commit failed: {}", e.getMessage());
        }
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            log.debug("Closing a connection failed: {}", e.getMessage());
        }
    }

    /** One failed attempt: its cause, and whether PostgreSQL itself failed (then never parked). */
    static final class Failure extends Exception {

        private static final long serialVersionUID = 1L;
        final boolean infrastructure;

        Failure(Throwable cause, boolean infrastructure) {
            super(cause.getMessage(), cause, false, false);
            this.infrastructure = infrastructure;
        }
    }
}
