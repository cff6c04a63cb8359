package dev.eventstore.schema;

import java.util.regex.Pattern;

/**
 * The PostgreSQL schema that holds the event store's objects (default {@value #DEFAULT}).
 *
 * <p>Only plain lower-case identifiers are accepted, so the name can be written into SQL unquoted
 * and never needs escaping: a schema name is configuration, not user input, and refusing anything
 * unusual is clearer than quoting rules.
 */
public record SchemaName(String value) {

    public static final String DEFAULT = "eventstore";

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public SchemaName {
        if (value == null || !IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid schema name '" + value
                    + "': use 1 to 63 lower-case letters, digits and underscores, not starting with a digit");
        }
    }

    public static SchemaName of(String value) {
        return new SchemaName(value);
    }

    public static SchemaName defaultSchema() {
        return new SchemaName(DEFAULT);
    }

    @Override
    public String toString() {
        return value;
    }
}
