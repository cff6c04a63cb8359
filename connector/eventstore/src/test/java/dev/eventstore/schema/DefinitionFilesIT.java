package dev.eventstore.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The repeatable migrations are where each function's, view's and grant's current definition is
 * read: one object per file, and the live catalog of a migrated schema is exactly what those files
 * define. The functions and views of the schema are the ones the files create, each in one file;
 * every function's body is its file's; and running every file again changes nothing in the
 * catalog (definitions, views and privileges), which is only true if the catalog already holds
 * what they say.
 */
class DefinitionFilesIT {

    private static final String SCHEMA = "definitions_it";
    private static final TestDatabase DATABASE = TestDatabase.get();

    private static final Pattern FUNCTION = Pattern.compile("(?m)^CREATE OR REPLACE FUNCTION (\\w+)\\(");
    private static final Pattern VIEW = Pattern.compile("(?m)^CREATE OR REPLACE VIEW (\\w+) AS");
    private static final Pattern BODY = Pattern.compile("(?s)\\nAS \\$\\$(\\n.*?\\n)\\$\\$;");
    private static final Pattern FILE_NAME = Pattern.compile("R__(\\d)_(function|view)_(\\w+)\\.sql|R__3_grants\\.sql");

    @BeforeAll
    static void migrate() {
        DATABASE.dropSchema(SCHEMA);
        new SchemaManager(DATABASE.dataSource(), SchemaName.of(SCHEMA), MigrationSource.builtIn()).migrate();
    }

    @AfterAll
    static void drop() {
        DATABASE.dropSchema(SCHEMA);
    }

    /** Function name to its file, view name to its file; each file names the one object it defines. */
    @Test
    void eachFileDefinesOneObjectNamedByTheFile() {
        List<Path> files = MigrationFiles.repeatable();
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            String name = file.getFileName().toString();
            Matcher matcher = FILE_NAME.matcher(name);
            assertThat(matcher.matches()).as(name + ": R__1_function_<name>.sql, R__2_view_<name>.sql or R__3_grants.sql")
                    .isTrue();
            String sql = MigrationFiles.sql(file, SCHEMA);
            List<String> functions = all(FUNCTION, sql);
            List<String> views = all(VIEW, sql);
            if (name.equals("R__3_grants.sql")) {
                assertThat(functions).as(name).containsExactly("grant_roles");
                assertThat(views).as(name).isEmpty();
            } else if (matcher.group(2).equals("function")) {
                assertThat(matcher.group(1)).as(name).isEqualTo("1");
                assertThat(functions).as(name).containsExactly(matcher.group(3));
                assertThat(views).as(name).isEmpty();
            } else {
                assertThat(matcher.group(1)).as(name).isEqualTo("2");
                assertThat(views).as(name).containsExactly(matcher.group(3));
                assertThat(functions).as(name).isEmpty();
            }
            assertThat(sql).as(name + " creates nothing else and drops nothing")
                    .doesNotContainPattern("(?m)^\\s*(CREATE (TABLE|INDEX|TRIGGER|FUNCTION|VIEW)|DROP |ALTER )");
        }
    }

    @Test
    void theSchemasFunctionsAndViewsAreExactlyTheFilesAndEachBodyIsItsFiles() throws Exception {
        Map<String, String> bodies = new TreeMap<>();
        List<String> views = new ArrayList<>();
        for (Path file : MigrationFiles.repeatable()) {
            String sql = MigrationFiles.sql(file, SCHEMA);
            for (String function : all(FUNCTION, sql)) {
                Matcher body = BODY.matcher(sql);
                assertThat(body.find()).as(file + " has a $$ body").isTrue();
                assertThat(bodies.put(function, body.group(1))).as(function + " defined once").isNull();
            }
            views.addAll(all(VIEW, sql));
        }

        Map<String, String> live = new TreeMap<>();
        List<String> liveViews = new ArrayList<>();
        try (Connection connection = DATABASE.connect()) {
            try (PreparedStatement statement = connection.prepareStatement("""
                    SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = ?""")) {
                statement.setString(1, SCHEMA);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        assertThat(live.put(rs.getString(1), rs.getString(2))).as("one function named " + rs.getString(1))
                                .isNull();
                    }
                }
            }
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT viewname FROM pg_views WHERE schemaname = ? ORDER BY 1")) {
                statement.setString(1, SCHEMA);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        liveViews.add(rs.getString(1));
                    }
                }
            }
        }
        assertThat(live.keySet()).containsExactlyElementsOf(bodies.keySet());
        assertThat(live).containsExactlyEntriesOf(bodies);
        assertThat(liveViews).containsExactlyInAnyOrderElementsOf(views).isNotEmpty();
    }

    @Test
    void runningEveryFileAgainChangesNothing() throws Exception {
        try (Connection connection = DATABASE.connect()) {
            List<String> before = SchemaCatalog.describeAll(connection, SCHEMA);
            assertThat(before).anyMatch(l -> l.startsWith("function | read_stream_forward(") && l.contains("<schema>_reader=X/"));
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCAL search_path TO " + SCHEMA);
                for (Path file : MigrationFiles.repeatable()) {
                    statement.execute(MigrationFiles.sql(file, SCHEMA));
                }
                List<String> after = SchemaCatalog.describeAll(connection, SCHEMA);
                assertThat(after).containsExactlyElementsOf(before);
            } finally {
                connection.rollback();
            }
        }
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
