package dev.eventstore.bridge;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One bridge per store: a PostgreSQL session-level advisory lock, keyed by the store's schema
 * (its OID in the database, see {@code bridge_lock.sql}), held on a connection of its own for as
 * long as the holder runs and released by {@link #close()} or when its database session ends. Whatever their
 * {@code bridge.name} and {@code slot.name}, two bridges of one store take the same lock; stores in
 * other schemas or databases take other locks.
 *
 * <p>The bridge takes it before anything else, so that a second bridge refuses before any side
 * effect (no slot created, no offsets deleted, no checkpoint written). Any other command that must
 * not run beside a bridge takes it the same way:
 * <pre>{@code
 * try (BridgeLock lock = BridgeLock.acquire(config.connection(), config.schema(), "eventstore reset")) {
 *     ... // no bridge of this store runs until the lock is closed
 * }
 * }</pre>
 * {@link #acquire} refuses at once, in one line naming the holder when PostgreSQL tells
 * (pid, application name, client), with a {@link BridgeException}. A long-running holder calls
 * {@link #watch} to learn when the lock's connection is lost: the lock is gone with it, and the
 * holder no longer proves it is alone.
 */
public final class BridgeLock implements AutoCloseable {

    /** The high 32 bits of the lock's key (pg_locks.classid): "ESBR". */
    static final long LOCK_SPACE = 0x45534252L;
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);
    private static final int VALID_TIMEOUT_SECONDS = 2;
    /** PostgreSQL truncates application_name to 63 bytes. */
    private static final int APPLICATION_NAME_MAX = 63;

    /** How long a lost lock may take to be taken again (a PostgreSQL restart) before the bridge stops. */
    static final Duration RETAKE_WINDOW = Duration.ofSeconds(60);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BridgeLock.class);

    private final ConnectionSettings settings;
    private final SchemaName schema;
    private final String holderName;
    private volatile Connection connection;
    private final AtomicBoolean released = new AtomicBoolean();
    private ScheduledExecutorService watchdog;
    /** When the lock's connection was found lost (System.nanoTime), or 0 while it is held. */
    private long lostSince;

    private BridgeLock(ConnectionSettings settings, SchemaName schema, String holderName, Connection connection) {
        this.settings = settings;
        this.schema = schema;
        this.holderName = holderName;
        this.connection = connection;
    }

    /**
     * Takes the store's lock, without waiting, on a new connection whose {@code application_name}
     * is {@code holder} (shown to whoever is refused).
     *
     * @throws BridgeException another session holds it (naming it), the schema does not exist, or
     *         PostgreSQL cannot be reached
     */
    public static BridgeLock acquire(ConnectionSettings settings, SchemaName schema, String holder) {
        Connection connection = null;
        try {
            connection = settings.dataSource().getConnection();
            connection.setAutoCommit(true);
            try (PreparedStatement name = connection.prepareStatement(SqlResource.load("bridge_lock_session"))) {
                name.setString(1, truncate(holder));
                name.execute();
            }
            Boolean acquired;
            try (PreparedStatement lock = connection.prepareStatement(SqlResource.load("bridge_lock"))) {
                lock.setLong(1, LOCK_SPACE);
                lock.setString(2, schema.value());
                try (ResultSet rs = lock.executeQuery()) {
                    acquired = rs.next() ? rs.getBoolean(1) : null;
                }
            }
            if (acquired == null) {
                throw new BridgeException("schema " + schema + " does not exist in this database: run `eventstore migrate`"
                        + " (or set schema)");
            }
            if (!acquired) {
                throw new BridgeException("another bridge of schema " + schema + " is running (" + holder(connection, schema)
                        + " holds the store's bridge lock): one bridge per store; stop it first, or point this one at"
                        + " another schema");
            }
            return new BridgeLock(settings, schema, holder, connection);
        } catch (SQLException e) {
            closeQuietly(connection);
            // The first connection of a start: PostgreSQL unreachable, login refused, ... said as such.
            throw new BridgeException(PostgresErrors.describe(e), e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** The session holding the lock, as far as PostgreSQL shows it. */
    private static String holder(Connection connection, SchemaName schema) {
        try (PreparedStatement query = connection.prepareStatement(SqlResource.load("bridge_lock_holder"))) {
            query.setString(1, schema.value());
            query.setLong(2, LOCK_SPACE);
            try (ResultSet rs = query.executeQuery()) {
                if (!rs.next()) {
                    return "a session that has just ended";
                }
                StringBuilder who = new StringBuilder("PostgreSQL backend pid " + rs.getInt("pid"));
                String application = rs.getString("application_name");
                if (application != null && !application.isEmpty()) {
                    who.append(", application_name '").append(PostgresErrors.mask(application)).append('\'');
                }
                String user = rs.getString("usename");
                if (user != null) {
                    who.append(", user ").append(user);
                }
                String host = rs.getString("client_hostname") != null ? rs.getString("client_hostname") : rs.getString("client_addr");
                if (host != null) {
                    who.append(", client ").append(host);
                } else if (application != null) {
                    who.append(", local socket");
                }
                java.sql.Timestamp since = rs.getTimestamp("backend_start");
                if (since != null) {
                    who.append(", connected since ").append(since.toInstant());
                }
                return who.toString();
            }
        } catch (SQLException e) {
            return "another session";
        }
    }

    /**
     * Keeps the lock for the bridge's life. When the lock's connection stops answering (checked
     * every second, each check bounded by 2 s; PostgreSQL has then released the lock, for example
     * on a restart), the lock is taken again on a new connection, retried every second for up to
     * {@link #RETAKE_WINDOW}: the bridge runs on, still the store's only one. {@code onLost} is
     * called once, on a thread of its own, with one line, when it cannot be: another session took
     * the lock in between (a second bridge: this one stops, the other runs), PostgreSQL refuses
     * the login, or PostgreSQL stays away longer than the window.
     */
    public synchronized void watch(Consumer<String> onLost) {
        if (watchdog != null || released.get()) {
            return;
        }
        watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "eventstore-bridge-lock");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.scheduleWithFixedDelay(() -> {
            if (released.get() || isHeld()) {
                lostSince = 0;
                return;
            }
            String reason = retake();
            if (reason != null && released.compareAndSet(false, true)) {
                closeQuietly(connection);
                watchdog.shutdown();
                onLost.accept(reason);
            }
        }, WATCH_INTERVAL.toMillis(), WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Tries to take the lock again; returns null when held again or worth another try, else why not. */
    private String retake() {
        long now = System.nanoTime();
        if (lostSince == 0) {
            lostSince = now;
            log.warn("Lost the connection to PostgreSQL that holds the bridge lock of schema {}; taking it again", schema);
        }
        closeQuietly(connection);
        try {
            BridgeLock again = acquire(settings, schema, holderName);
            synchronized (this) {
                if (released.get()) {
                    again.close();
                    return null;
                }
                connection = again.connection;
            }
            log.info("Took the bridge lock of schema {} again after {} ms", schema, (now - lostSince) / 1_000_000);
            lostSince = 0;
            return null;
        } catch (BridgeException e) {
            String login = loginRefused();
            if (login != null) {
                return login;
            }
            if (e.getMessage() != null && e.getMessage().startsWith("another bridge of schema")) {
                return "lost the connection to PostgreSQL that holds the bridge lock of schema " + schema
                        + ", and another session took the lock in between: " + e.getMessage()
                        + "; this bridge no longer proves it is the store's only one and stops";
            }
            if (now - lostSince < RETAKE_WINDOW.toNanos()) {
                return null;
            }
            return "lost the connection to PostgreSQL that holds the bridge lock of schema " + schema + " and could not"
                    + " take the lock again within " + RETAKE_WINDOW.toSeconds() + " s (" + e.getMessage()
                    + "), so it no longer proves it is the store's only bridge and stops";
        }
    }

    /** One line when PostgreSQL refuses the bridge's login now, else null. */
    String loginRefused() {
        try (Connection probe = settings.dataSource().getConnection()) {
            return null;
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state != null && state.startsWith("28")) {
                return "PostgreSQL refuses the bridge's login as " + settings.user() + ": " + PostgresErrors.describe(e)
                        + ". The bridge stops instead of retrying: give the role LOGIN (ALTER ROLE ... LOGIN) or the"
                        + " right password, then start it again.";
            }
            return null;
        }
    }

    /** Whether the lock's connection still answers (so the session, and the lock, live). */
    public boolean isHeld() {
        if (released.get()) {
            return false;
        }
        try {
            return connection.isValid(VALID_TIMEOUT_SECONDS);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Releases the lock (ends its session). Idempotent. */
    @Override
    public synchronized void close() {
        boolean wasHeld = !released.getAndSet(true);
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        if (wasHeld) {
            // Released before the close returns: the session itself ends a moment after the
            // connection closes, and a successor started at once would find the lock still held.
            try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_catalog.pg_advisory_unlock_all()")) {
                unlock.execute();
            } catch (SQLException ignored) {
                // the session is gone, and the lock with it
            }
        }
        closeQuietly(connection);
    }

    /** PostgreSQL shows printable ASCII in application_name, at most 63 bytes: the rest as '?', cut. */
    private static String truncate(String holder) {
        String name = holder == null ? "eventstore" : holder;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length() && out.length() < APPLICATION_NAME_MAX; i++) {
            char c = name.charAt(i);
            out.append(c >= 0x20 && c <= 0x7e ? c : '?');
        }
        return out.toString();
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the session ends either way
            }
        }
    }
}
