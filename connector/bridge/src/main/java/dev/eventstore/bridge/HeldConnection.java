package dev.eventstore.bridge;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One JDBC connection kept open for work a single thread repeats (the offset flush every second,
 * the monitor loop every 5 s), opened on first use and again after a failure. Opening a
 * connection costs PostgreSQL a new backend process: about 5 ms on the benchmark machine, more
 * with SCRAM, a cost the offset flush would otherwise pay inside Debezium's polling thread every second.
 * Not thread-safe: one thread uses it.
 */
final class HeldConnection implements AutoCloseable {

    private static final int VALIDATION_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;
    private final boolean autoCommit;
    private Connection connection;

    HeldConnection(DataSource dataSource, boolean autoCommit) {
        this.dataSource = dataSource;
        this.autoCommit = autoCommit;
    }

    /**
     * The open connection if it still answers (a round trip of an empty query, a tenth of a
     * millisecond on loopback: the server may have restarted since), else a new one.
     */
    Connection get() throws SQLException {
        if (connection != null && !connection.isValid(VALIDATION_TIMEOUT_SECONDS)) {
            close();
        }
        if (connection == null) {
            Connection opened = dataSource.getConnection();
            try {
                opened.setAutoCommit(autoCommit);
            } catch (SQLException e) {
                opened.close();
                throw e;
            }
            connection = opened;
        }
        return connection;
    }

    /** Closes the connection after a failure: the next {@link #get()} opens a fresh one. */
    void discard() {
        close();
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // a broken connection is being thrown away anyway
            }
            connection = null;
        }
    }
}
