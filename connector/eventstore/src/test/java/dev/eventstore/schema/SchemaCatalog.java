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

    private static String strip(String definition, String schema) {
        return definition == null ? null : definition.replace(schema + ".", "<schema>.");
    }
}
