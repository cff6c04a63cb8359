package dev.eventstore.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A schema's tables as the catalog describes them (columns, types, nullability, defaults,
 * constraints, index definitions), with the schema's own name taken out so that two schemas
 * built by different means compare equal when they are the same.
 */
final class SchemaCatalog {

    private SchemaCatalog() {
    }

    static List<String> describe(Connection connection, String schema, Set<String> tables) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            // Definitions print unqualified names for objects on the search path.
            statement.execute("SET search_path TO " + schema);
        }
        String[] names = tables.toArray(String[]::new);
        try (PreparedStatement columns = connection.prepareStatement("""
                SELECT table_name, ordinal_position, column_name, data_type, is_nullable, column_default,
                       character_maximum_length, numeric_precision, datetime_precision
                  FROM information_schema.columns
                 WHERE table_schema = ? AND table_name = ANY (?)
                 ORDER BY table_name, ordinal_position""")) {
            columns.setString(1, schema);
            columns.setArray(2, connection.createArrayOf("text", names));
            try (ResultSet rs = columns.executeQuery()) {
                while (rs.next()) {
                    lines.add(String.join(" | ", "column", rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), strip(rs.getString(6), schema),
                            rs.getString(7), rs.getString(8), rs.getString(9)));
                }
            }
        }
        try (PreparedStatement constraints = connection.prepareStatement("""
                SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid)
                  FROM pg_constraint co
                  JOIN pg_class cl ON cl.oid = co.conrelid
                  JOIN pg_namespace n ON n.oid = cl.relnamespace
                 WHERE n.nspname = ? AND cl.relname = ANY (?)
                 ORDER BY cl.relname, co.conname""")) {
            constraints.setString(1, schema);
            constraints.setArray(2, connection.createArrayOf("text", names));
            try (ResultSet rs = constraints.executeQuery()) {
                while (rs.next()) {
                    lines.add(String.join(" | ", "constraint", rs.getString(1), rs.getString(2), rs.getString(3),
                            strip(rs.getString(4), schema)));
                }
            }
        }
        try (PreparedStatement indexes = connection.prepareStatement("""
                SELECT tablename, indexname, indexdef
                  FROM pg_indexes
                 WHERE schemaname = ? AND tablename = ANY (?)
                 ORDER BY tablename, indexname""")) {
            indexes.setString(1, schema);
            indexes.setArray(2, connection.createArrayOf("text", names));
            try (ResultSet rs = indexes.executeQuery()) {
                while (rs.next()) {
                    lines.add(String.join(" | ", "index", rs.getString(1), rs.getString(2), strip(rs.getString(3), schema)));
                }
            }
        }
        return lines;
    }

    /**
     * Everything a migration defines in {@code schema}: its tables (as {@link #describe}), the
     * functions with their full definitions, views with theirs, triggers, the privileges on the
     * schema, tables, views, sequences, columns and functions, and the tables of the schema's
     * publication. Flyway's history table is left out. Every occurrence of the schema's name (in
     * definitions, and in the group roles named after it) reads {@code <schema>}, and each
     * privilege list is sorted, so that two schemas migrated by different paths compare equal when
     * they hold the same objects with the same grants.
     */
    static List<String> describeAll(Connection connection, String schema) throws SQLException {
        Set<String> tables = new java.util.TreeSet<>(strings(connection, """
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND c.relname <> 'flyway_schema_history'""", schema));
        List<String> lines = new ArrayList<>(describe(connection, schema, tables));
        lines.addAll(strings(connection, """
                SELECT 'function | ' || p.oid::regprocedure::text || ' | ' || pg_get_functiondef(p.oid)
                       || ' | ' || coalesce(array_to_string(ARRAY(SELECT a::text FROM unnest(p.proacl) a ORDER BY 1), ','), '')
                  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = ? ORDER BY p.oid::regprocedure::text""", schema));
        lines.addAll(strings(connection, """
                SELECT 'relation | ' || c.relname || ' | ' || c.relkind::text
                       || ' | ' || coalesce(pg_get_viewdef(c.oid), '')
                       || ' | ' || coalesce(array_to_string(ARRAY(SELECT a::text FROM unnest(c.relacl) a ORDER BY 1), ','), '')
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relname NOT LIKE 'flyway_schema_history%'
                 ORDER BY c.relname""", schema));
        lines.addAll(strings(connection, """
                SELECT 'column privileges | ' || c.relname || '.' || a.attname
                       || ' | ' || array_to_string(ARRAY(SELECT x::text FROM unnest(a.attacl) x ORDER BY 1), ',')
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND a.attacl IS NOT NULL ORDER BY 1""", schema));
        lines.addAll(strings(connection, """
                SELECT 'trigger | ' || c.relname || ' | ' || pg_get_triggerdef(t.oid)
                  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND NOT t.tgisinternal ORDER BY 1""", schema));
        lines.addAll(strings(connection, """
                SELECT 'schema | ' || coalesce(array_to_string(ARRAY(SELECT a::text FROM unnest(n.nspacl) a ORDER BY 1), ','), '')
                  FROM pg_namespace n WHERE n.nspname = ?""", schema));
        lines.addAll(strings(connection, """
                SELECT 'publication | ' || p.pubname || ' | ' || p.tablename
                  FROM pg_publication_tables p WHERE p.schemaname = ? ORDER BY 1""", schema));
        return lines.stream().map(line -> line.replace(schema, "<schema>")).toList();
    }

    private static List<String> strings(Connection connection, String sql, String schema) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, schema);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }

    private static String strip(String definition, String schema) {
        return definition == null ? null : definition.replace(schema + ".", "<schema>.");
    }
}
