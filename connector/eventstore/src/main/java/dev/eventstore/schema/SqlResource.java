package dev.eventstore.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SQL statements kept in {@code .sql} files beside the package that runs them, one file per
 * operation, each headed by a comment that lists its parameters: {@code load("stream_info")}
 * called from a class of {@code dev.eventstore.bridge} reads {@code dev/eventstore/bridge/sql/
 * stream_info.sql}. A statement that classes of several packages run lives in
 * {@code dev/eventstore/sql/} of the lowest module that runs it, where every package finds it.
 * The only substitution is {@code ${schema}}, replaced by a validated {@link SchemaName}.
 */
public final class SqlResource {

    /** Where a statement of several packages lives. */
    private static final String SHARED = "dev/eventstore/sql/";
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private SqlResource() {
    }

    /** The text of {@code name}.sql beside the calling class's package (or shared). */
    public static String load(String name) {
        Class<?> caller = caller();
        String own = caller.getPackageName().replace('.', '/') + "/sql/" + name + ".sql";
        return CACHE.computeIfAbsent(own, path -> read(caller.getClassLoader(), path, SHARED + name + ".sql"));
    }

    /** The text of {@code name}.sql with {@code ${schema}} replaced. */
    public static String load(String name, SchemaName schema) {
        return load(name).replace("${schema}", schema.value());
    }

    /** The first class on the stack that is not this one: the statement's runner. */
    private static Class<?> caller() {
        return WALKER.walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> c != SqlResource.class).findFirst()).orElse(SqlResource.class);
    }

    private static String read(ClassLoader loader, String path, String shared) {
        ClassLoader classes = loader == null ? SqlResource.class.getClassLoader() : loader;
        try (InputStream own = classes.getResourceAsStream(path)) {
            if (own != null) {
                return new String(own.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (InputStream in = classes.getResourceAsStream(shared)) {
            if (in == null) {
                throw new IllegalStateException("SQL resource missing from the jar: " + path + " (nor " + shared + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
