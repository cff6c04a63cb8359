package dev.eventstore.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SQL statements kept in {@code .sql} files under {@code dev/eventstore/sql/}, one file per
 * operation, each headed by a comment that lists its parameters. The only substitution is
 * {@code ${schema}}, replaced by a validated {@link SchemaName}.
 */
public final class SqlResource {

    private static final String ROOT = "dev/eventstore/sql/";
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private SqlResource() {
    }

    /** The text of {@code name}.sql. */
    public static String load(String name) {
        return CACHE.computeIfAbsent(name, SqlResource::read);
    }

    /** The text of {@code name}.sql with {@code ${schema}} replaced. */
    public static String load(String name, SchemaName schema) {
        return load(name).replace("${schema}", schema.value());
    }

    private static String read(String name) {
        String path = ROOT + name + ".sql";
        try (InputStream in = SqlResource.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("SQL resource missing from the jar: " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
