package dev.eventstore.cli;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The connection options every database command takes. Each falls back to an environment
 * variable; passwords are best given through {@code EVENTSTORE_DB_PASSWORD}, since a command
 * line is visible to other users of the machine.
 */
public class DatabaseOptions {

    public static final String ENV_SCHEMA = "EVENTSTORE_SCHEMA";
    public static final String ENV_MIGRATIONS_DIR = "EVENTSTORE_MIGRATIONS_DIR";

    @Option(names = "--db-url", paramLabel = "URL",
            description = "JDBC URL of the event store's PostgreSQL, e.g. jdbc:postgresql://localhost:5432/game"
                    + " (env: EVENTSTORE_DB_URL). TLS: add sslmode=verify-full&sslrootcert=FILE.")
    String url;

    @Option(names = "--db-user", paramLabel = "USER", description = "Role to log in as (env: EVENTSTORE_DB_USER).")
    String user;

    @Option(names = "--db-password", paramLabel = "PASSWORD",
            description = "Password of that role (env: EVENTSTORE_DB_PASSWORD, preferred: a command line is visible to others).")
    String password;

    @Option(names = "--schema", paramLabel = "SCHEMA",
            description = "Schema holding the event store (env: EVENTSTORE_SCHEMA; default: " + SchemaName.DEFAULT + ").")
    String schema;

    @Option(names = "--migrations-dir", paramLabel = "DIR",
            description = "Take migrations from this directory instead of those built into the jar"
                    + " (env: EVENTSTORE_MIGRATIONS_DIR; bin/eventstore sets it to the checkout's migrations/).")
    Path migrationsDir;

    public ConnectionSettings connection(Environment env) {
        String resolvedUrl = env.orElse(url, ConnectionSettings.ENV_URL);
        if (resolvedUrl == null) {
            throw new CommandFailedException("no database given: pass --db-url or set " + ConnectionSettings.ENV_URL, ExitCodes.USAGE);
        }
        try {
            return new ConnectionSettings(resolvedUrl,
                    env.orElse(user, ConnectionSettings.ENV_USER),
                    env.orElse(password, ConnectionSettings.ENV_PASSWORD));
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(e.getMessage(), ExitCodes.USAGE);
        }
    }

    public SchemaName schema(Environment env) {
        String name = env.orElse(schema, ENV_SCHEMA);
        try {
            return name == null ? SchemaName.defaultSchema() : SchemaName.of(name);
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(e.getMessage(), ExitCodes.USAGE);
        }
    }

    public MigrationSource migrations(Environment env) {
        Path directory = migrationsDir != null ? migrationsDir : pathOrNull(env.get(ENV_MIGRATIONS_DIR));
        return directory == null ? MigrationSource.builtIn() : MigrationSource.directory(directory);
    }

    public SchemaManager schemaManager(Environment env) {
        return new SchemaManager(connection(env).dataSource(), schema(env), migrations(env));
    }

    private static Path pathOrNull(String value) {
        return value == null ? null : Path.of(value);
    }
}
