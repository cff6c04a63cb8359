package dev.eventstore.jdbc;

import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where the event store's PostgreSQL is and who to log in as. The password is never printed:
 * {@link #toString()} masks it, and so does {@link #displayUrl()}.
 *
 * @param url a {@code jdbc:postgresql://} URL; driver parameters such as {@code sslmode} and
 *     {@code sslrootcert} go in its query string
 * @param user the role to log in as, or {@code null} to take it from the URL
 * @param password the role's password, or {@code null}
 */
public record ConnectionSettings(String url, String user, String password) {

    /** Environment variable names, shared by every component that connects. */
    public static final String ENV_URL = "EVENTSTORE_DB_URL";
    public static final String ENV_USER = "EVENTSTORE_DB_USER";
    public static final String ENV_PASSWORD = "EVENTSTORE_DB_PASSWORD";

    public ConnectionSettings {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database URL must start with jdbc:postgresql: but was "
                    + PostgresErrors.mask(url));
        }
    }

    /** Settings from {@code EVENTSTORE_DB_URL}, {@code _USER} and {@code _PASSWORD} in {@code env}. */
    public static ConnectionSettings fromEnvironment(Map<String, String> env) {
        String url = env.get(ENV_URL);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(ENV_URL + " is not set");
        }
        return new ConnectionSettings(url, env.get(ENV_USER), env.get(ENV_PASSWORD));
    }

    /** A non-pooling data source, for commands that open a connection or two. */
    public DataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        if (user != null && !user.isEmpty()) {
            dataSource.setUser(user);
        }
        if (password != null) {
            dataSource.setPassword(password);
        }
        // Fail fast on an unreachable server instead of the driver's default of minutes.
        if (!url.contains("connectTimeout=")) {
            dataSource.setConnectTimeout(10);
        }
        dataSource.setApplicationName("eventstore");
        return dataSource;
    }

    /** The URL with any password parameter masked, fit for output and logs. */
    public String displayUrl() {
        return PostgresErrors.mask(url);
    }

    @Override
    public String toString() {
        return "ConnectionSettings[url=" + displayUrl() + ", user=" + user
                + ", password=" + (password == null ? "none" : "***") + "]";
    }
}
