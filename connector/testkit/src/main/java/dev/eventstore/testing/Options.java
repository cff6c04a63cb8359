package dev.eventstore.testing;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.testing.EventStoreExtension.Database;
import dev.eventstore.testing.EventStoreExtension.Reset;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The options of one registration of the extension, and the run-wide settings: each
 * {@code eventstore.test.*} system property, else its {@code EVENTSTORE_TEST_*} environment
 * variable (see {@link EventStoreExtension}).
 */
record Options(Database database, String schema, Reset reset, boolean endToEnd, String url, String user,
               String password, String image, DataSource dataSource) {

    static final String PROPERTY_DATABASE = "eventstore.test.database";
    static final String PROPERTY_URL = "eventstore.test.db.url";
    static final String PROPERTY_USER = "eventstore.test.db.user";
    static final String PROPERTY_PASSWORD = "eventstore.test.db.password";
    static final String PROPERTY_IMAGE = "eventstore.test.image";

    /** The pinned image of the Testcontainers mode (the major version of the embedded binaries). */
    static final String DEFAULT_IMAGE = "postgres:17.5";

    static final Options DEFAULTS = new Options(null, null, Reset.BEFORE_EACH, false, null, null, null, null, null);

    /** The database of this registration: its own choice, else the run's, else embedded. */
    Database effectiveDatabase(Function<String, String> settings) {
        if (dataSource != null) {
            return null;
        }
        if (database != null && database != Database.DEFAULT) {
            return database;
        }
        String run = settings.apply(PROPERTY_DATABASE);
        if (run == null || run.isBlank()) {
            String runUrl = settings.apply(PROPERTY_URL);
            return url != null || (runUrl != null && !runUrl.isBlank()) ? Database.URL : Database.EMBEDDED;
        }
        try {
            return Database.valueOf(run.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY_DATABASE + " (or " + environmentName(PROPERTY_DATABASE)
                    + ") must be embedded, container or url, was '" + run.trim() + "'");
        }
    }

    /** Options with every run-wide setting this registration leaves open filled in. */
    Options resolved(Function<String, String> settings) {
        return new Options(effectiveDatabase(settings), schema, reset, endToEnd,
                url != null ? url : settings.apply(PROPERTY_URL),
                url != null ? user : settings.apply(PROPERTY_USER),
                url != null ? password : settings.apply(PROPERTY_PASSWORD),
                image != null ? image : orDefault(settings.apply(PROPERTY_IMAGE), DEFAULT_IMAGE),
                dataSource);
    }

    ConnectionSettings connection() {
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("database url needs a JDBC URL: set " + PROPERTY_URL + " (or "
                    + environmentName(PROPERTY_URL) + ") or call url(...) on the extension's builder");
        }
        return new ConnectionSettings(url, user, password);
    }

    /** What tells two servers of one mode apart (the URL's, the image's); never the password. */
    String serverKey(Database mode) {
        return switch (mode) {
            case EMBEDDED, DEFAULT -> "";
            case CONTAINER -> image;
            case URL -> url + "|" + user;
        };
    }

    /** A system property, else its environment variable ({@code eventstore.test.db.url} → {@code EVENTSTORE_TEST_DB_URL}). */
    static Function<String, String> runSettings(Map<String, String> environment) {
        return name -> {
            String value = System.getProperty(name);
            return value != null ? value : environment.get(environmentName(name));
        };
    }

    static String environmentName(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
