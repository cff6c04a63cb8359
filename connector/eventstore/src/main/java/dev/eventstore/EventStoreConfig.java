package dev.eventstore;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The event store library's configuration: where PostgreSQL is, how to log in (TLS included), the
 * schema, the connection pool and the store's limits. Every key is defined once in {@link #KEYS}
 * with its type, default, validation and description; {@link #documentation()} renders them.
 *
 * <p>Sources: {@link Properties} (keys as named here), the environment (each key's variable, e.g.
 * {@code EVENTSTORE_DB_URL}), or both with {@link #load(Properties, Map)}, where the environment
 * wins. Values are checked when the config is built: a bad value fails with one line naming the
 * key. The password is typed {@link Type#PASSWORD}: {@link #toString()} and {@link #describe()}
 * print it hidden.
 */
public final class EventStoreConfig {

    /** The type of a key's value. */
    public enum Type { STRING, INT, LONG, PASSWORD }

    /**
     * One configuration key.
     *
     * @param name the property name
     * @param environmentVariable the environment variable that sets it
     * @param type its value's type
     * @param defaultValue the default as text, or {@code null} for none
     * @param required whether a value must be given
     * @param description what it does, for the generated documentation
     * @param validator checks a non-null value; throws {@link IllegalArgumentException} with the reason
     */
    public record Key(String name, String environmentVariable, Type type, String defaultValue, boolean required,
                      String description, Consumer<String> validator) {

        public Key {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(environmentVariable, "environmentVariable");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(validator, "validator");
        }
    }

    public static final String URL = "eventstore.db.url";
    public static final String USER = "eventstore.db.user";
    public static final String PASSWORD = "eventstore.db.password";
    public static final String SCHEMA = "eventstore.schema";
    public static final String SSL_MODE = "eventstore.db.sslmode";
    public static final String SSL_ROOT_CERT = "eventstore.db.sslrootcert";
    public static final String APPLICATION_NAME = "eventstore.db.application-name";
    public static final String POOL_MAX_SIZE = "eventstore.pool.max-size";
    public static final String POOL_MIN_IDLE = "eventstore.pool.min-idle";
    public static final String POOL_CONNECTION_TIMEOUT_MS = "eventstore.pool.connection-timeout-ms";
    public static final String POOL_MAX_LIFETIME_MS = "eventstore.pool.max-lifetime-ms";
    public static final String MAX_EVENT_SIZE = "eventstore.event.max-size-bytes";
    public static final String FETCH_SIZE = "eventstore.read.fetch-size";

    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    /** Every key, in documentation order. */
    public static final List<Key> KEYS = List.of(
            key(URL, Type.STRING, null, true,
                    "JDBC URL of the event store's PostgreSQL, e.g. jdbc:postgresql://db:5432/games. Driver"
                            + " parameters may follow in its query string.",
                    v -> new ConnectionSettings(v, null, null)),
            key(USER, Type.STRING, null, false,
                    "Role to log in as; when unset, the driver takes it from the URL or uses the OS user.", v -> { }),
            key(PASSWORD, Type.PASSWORD, null, false,
                    "Password of the role. Never printed.", v -> { }),
            key(SCHEMA, Type.STRING, SchemaName.DEFAULT, false,
                    "PostgreSQL schema holding the event store's tables and functions: 1 to 63 lower-case letters,"
                            + " digits and underscores.",
                    SchemaName::of),
            key(SSL_MODE, Type.STRING, null, false,
                    "TLS mode passed to the driver: disable, allow, prefer, require, verify-ca or verify-full."
                            + " Unset: the driver's default (prefer). Use verify-full in production.",
                    v -> {
                        if (!SSL_MODES.contains(v)) {
                            throw new IllegalArgumentException("must be one of disable, allow, prefer, require, verify-ca, verify-full");
                        }
                    }),
            key(SSL_ROOT_CERT, Type.STRING, null, false,
                    "Path of the CA certificate (PEM) that verify-ca and verify-full check the server against,"
                            + " passed to the driver as sslrootcert.",
                    v -> {
                        if (v.isBlank()) {
                            throw new IllegalArgumentException("must be a file path");
                        }
                    }),
            key(APPLICATION_NAME, Type.STRING, "eventstore", false,
                    "application_name of the store's sessions, as pg_stat_activity shows them.", v -> { }),
            key(POOL_MAX_SIZE, Type.INT, "10", false,
                    "Most connections the pool opens (HikariCP maximumPoolSize); 1 to 1000.", range(1, 1000)),
            key(POOL_MIN_IDLE, Type.INT, "1", false,
                    "Idle connections the pool keeps open (HikariCP minimumIdle); 0 to the maximum size.", range(0, 1000)),
            key(POOL_CONNECTION_TIMEOUT_MS, Type.LONG, "10000", false,
                    "Milliseconds to wait for a connection from the pool before failing; 250 or more.",
                    range(250, Long.MAX_VALUE)),
            key(POOL_MAX_LIFETIME_MS, Type.LONG, "1800000", false,
                    "Milliseconds after which a pooled connection is retired; 30000 or more.",
                    range(30_000, Long.MAX_VALUE)),
            key(MAX_EVENT_SIZE, Type.INT, Integer.toString(Limits.DEFAULT_MAX_EVENT_SIZE_BYTES), false,
                    "Largest event accepted, in bytes: type, data and metadata as UTF-8. The default (1 MiB)"
                            + " keeps every event within Kafka's default record size; raise both together.",
                    range(1, Integer.MAX_VALUE)),
            key(FETCH_SIZE, Type.INT, "1000", false,
                    "Rows fetched per round trip by streaming reads of a whole stream.", range(1, 1_000_000)));

    private static final Map<String, Key> BY_NAME;

    static {
        Map<String, Key> byName = new LinkedHashMap<>();
        for (Key key : KEYS) {
            byName.put(key.name(), key);
        }
        BY_NAME = Collections.unmodifiableMap(byName);
    }

    private final Map<String, String> values;

    private EventStoreConfig(Map<String, String> given) {
        Map<String, String> resolved = new LinkedHashMap<>();
        for (String name : given.keySet()) {
            if (!BY_NAME.containsKey(name)) {
                throw new IllegalArgumentException("unknown configuration key " + name + "; known keys: " + BY_NAME.keySet());
            }
        }
        for (Key key : KEYS) {
            String value = given.get(key.name());
            if (value != null && value.isEmpty()) {
                value = null;
            }
            if (value == null) {
                value = key.defaultValue();
            }
            if (value == null) {
                if (key.required()) {
                    throw new IllegalArgumentException(key.name() + " (" + key.environmentVariable() + ") is not set: "
                            + key.description());
                }
                continue;
            }
            validate(key, value);
            resolved.put(key.name(), value);
        }
        this.values = Collections.unmodifiableMap(resolved);
        if (poolMinIdle() > poolMaxSize()) {
            throw new IllegalArgumentException(POOL_MIN_IDLE + " (" + poolMinIdle() + ") exceeds " + POOL_MAX_SIZE
                    + " (" + poolMaxSize() + ")");
        }
        if (sslMode() != null && url().matches("(?i).*[?&]sslmode=.*")) {
            throw new IllegalArgumentException(SSL_MODE + " is set and the URL has an sslmode parameter too: keep one");
        }
        if (sslRootCert() != null && url().matches("(?i).*[?&]sslrootcert=.*")) {
            throw new IllegalArgumentException(SSL_ROOT_CERT + " is set and the URL has an sslrootcert parameter too: keep one");
        }
    }

    private static void validate(Key key, String value) {
        try {
            switch (key.type()) {
                case INT -> Integer.parseInt(value.trim());
                case LONG -> Long.parseLong(value.trim());
                default -> {
                }
            }
            key.validator().accept(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value for " + key.name() + ": "
                    + shown(key, value) + " is not a whole number");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value for " + key.name() + ": " + shown(key, value) + " "
                    + (e.getMessage() == null ? "" : e.getMessage()), e);
        }
    }

    private static String shown(Key key, String value) {
        return key.type() == Type.PASSWORD ? "[hidden]" : "'" + PostgresErrors.mask(value) + "'";
    }

    /** A config from {@code values} keyed by property name; unknown keys are refused. */
    public static EventStoreConfig of(Map<String, String> values) {
        return new EventStoreConfig(values);
    }

    /** A config from properties named as the keys; other properties (not starting with {@code eventstore.}) are ignored. */
    public static EventStoreConfig fromProperties(Properties properties) {
        return new EventStoreConfig(fromProperties0(properties));
    }

    /** A config from each key's environment variable in {@code environment}. */
    public static EventStoreConfig fromEnvironment(Map<String, String> environment) {
        return new EventStoreConfig(fromEnvironment0(environment));
    }

    /** A config from this process's environment. */
    public static EventStoreConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** Properties overridden by environment variables. */
    public static EventStoreConfig load(Properties properties, Map<String, String> environment) {
        Map<String, String> merged = new LinkedHashMap<>(fromProperties0(properties));
        merged.putAll(fromEnvironment0(environment));
        return new EventStoreConfig(merged);
    }

    /** The same as {@link #of(Map)} for the connection settings, with every other key at its default. */
    public static EventStoreConfig of(ConnectionSettings settings, SchemaName schema) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(URL, settings.url());
        if (settings.user() != null) {
            values.put(USER, settings.user());
        }
        if (settings.password() != null) {
            values.put(PASSWORD, settings.password());
        }
        values.put(SCHEMA, schema.value());
        return new EventStoreConfig(values);
    }

    /** This config with {@code key} set to {@code value} ({@code null} restores the default). */
    public EventStoreConfig with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return new EventStoreConfig(copy);
    }

    private static Map<String, String> fromProperties0(Properties properties) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith("eventstore.")) {
                values.put(name, properties.getProperty(name));
            }
        }
        return values;
    }

    private static Map<String, String> fromEnvironment0(Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Key key : KEYS) {
            String value = environment.get(key.environmentVariable());
            if (value != null && !value.isEmpty()) {
                values.put(key.name(), value);
            }
        }
        return values;
    }

    /** The key named {@code name}. */
    public static Key key(String name) {
        Key key = BY_NAME.get(name);
        if (key == null) {
            throw new IllegalArgumentException("unknown configuration key " + name);
        }
        return key;
    }

    /** The value of {@code name} as given or defaulted, or {@code null}. */
    public String get(String name) {
        key(name);
        return values.get(name);
    }

    public String url() {
        return values.get(URL);
    }

    public String user() {
        return values.get(USER);
    }

    public String password() {
        return values.get(PASSWORD);
    }

    public SchemaName schema() {
        return SchemaName.of(values.get(SCHEMA));
    }

    public String sslMode() {
        return values.get(SSL_MODE);
    }

    public String sslRootCert() {
        return values.get(SSL_ROOT_CERT);
    }

    public String applicationName() {
        return values.get(APPLICATION_NAME);
    }

    public int poolMaxSize() {
        return Integer.parseInt(values.get(POOL_MAX_SIZE).trim());
    }

    public int poolMinIdle() {
        return Integer.parseInt(values.get(POOL_MIN_IDLE).trim());
    }

    public long poolConnectionTimeoutMs() {
        return Long.parseLong(values.get(POOL_CONNECTION_TIMEOUT_MS).trim());
    }

    public long poolMaxLifetimeMs() {
        return Long.parseLong(values.get(POOL_MAX_LIFETIME_MS).trim());
    }

    public int maxEventSizeBytes() {
        return Integer.parseInt(values.get(MAX_EVENT_SIZE).trim());
    }

    public int fetchSize() {
        return Integer.parseInt(values.get(FETCH_SIZE).trim());
    }

    /**
     * The connection settings, with the TLS keys added to the URL's query string as the driver's
     * {@code sslmode} and {@code sslrootcert} parameters, so that every connection (the pool's,
     * and the schema manager's) uses them.
     */
    public ConnectionSettings connectionSettings() {
        String url = url();
        List<String> parameters = new ArrayList<>();
        if (sslMode() != null) {
            parameters.add("sslmode=" + encode(sslMode()));
        }
        if (sslRootCert() != null) {
            parameters.add("sslrootcert=" + encode(sslRootCert()));
        }
        if (!parameters.isEmpty()) {
            url = url + (url.contains("?") ? "&" : "?") + String.join("&", parameters);
        }
        return new ConnectionSettings(url, user(), password());
    }

    /**
     * A new HikariCP pool for these settings. Each connection's session runs with
     * {@code TimeZone=UTC}. The caller closes it (an {@link EventStore} opened from this config
     * does).
     */
    public HikariDataSource createDataSource() {
        ConnectionSettings settings = connectionSettings();
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("eventstore");
        hikari.setJdbcUrl(settings.url());
        if (settings.user() != null) {
            hikari.setUsername(settings.user());
        }
        if (settings.password() != null) {
            hikari.setPassword(settings.password());
        }
        hikari.setMaximumPoolSize(poolMaxSize());
        hikari.setMinimumIdle(poolMinIdle());
        hikari.setConnectionTimeout(poolConnectionTimeoutMs());
        hikari.setMaxLifetime(poolMaxLifetimeMs());
        hikari.setConnectionInitSql(SqlResource.load("session_init"));
        hikari.addDataSourceProperty("ApplicationName", applicationName());
        if (!settings.url().contains("connectTimeout=")) {
            hikari.addDataSourceProperty("connectTimeout", "10");
        }
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new EventStoreException("cannot open the event store's connection pool to " + settings.displayUrl()
                    + ": " + PostgresErrors.describe(e), e);
        }
    }

    /** Every key with its value as a person may see it: the password hidden. */
    public Map<String, String> describe() {
        Map<String, String> shown = new LinkedHashMap<>();
        for (Key key : KEYS) {
            String value = values.get(key.name());
            if (value == null) {
                shown.put(key.name(), "(unset)");
            } else if (key.type() == Type.PASSWORD) {
                shown.put(key.name(), "[hidden]");
            } else {
                shown.put(key.name(), PostgresErrors.mask(value));
            }
        }
        return shown;
    }

    @Override
    public String toString() {
        return "EventStoreConfig" + describe();
    }

    /** A Markdown table of every key: name, environment variable, type, default, description. */
    public static String documentation() {
        StringBuilder out = new StringBuilder();
        out.append("| key | environment variable | type | default | description |\n");
        out.append("|---|---|---|---|---|\n");
        for (Key key : KEYS) {
            out.append("| `").append(key.name()).append("` | `").append(key.environmentVariable()).append("` | ")
                    .append(key.type().name().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(key.required() ? "required" : key.defaultValue() == null ? "" : "`" + key.defaultValue() + "`")
                    .append(" | ").append(key.description()).append(" |\n");
        }
        return out.toString();
    }

    private static Key key(String name, Type type, String defaultValue, boolean required, String description,
                           Consumer<String> validator) {
        String environmentVariable = name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        return new Key(name, environmentVariable, type, defaultValue, required, description, validator);
    }

    private static Consumer<String> range(long min, long max) {
        return v -> {
            long n = Long.parseLong(v.trim());
            if (n < min || n > max) {
                throw new IllegalArgumentException("is out of range: must be " + min
                        + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? " or more" : " to " + max));
            }
        };
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
