package dev.eventstore.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every SQL statement file lives in the module whose code runs it, and every name the code
 * loads has its file: a statement name that resolves to no file, or a {@code .sql} file that no
 * code names, fails the build. Modules are checked in their dependency order: code may load a
 * file of its own module or of one below it.
 */
class SqlResourcesTest {

    /** The modules that keep statement files, lowest first (each may use those before it). */
    private static final List<String> MODULES = List.of("eventstore", "bridge", "cli", "devtools");
    private static final Pattern LOAD = Pattern.compile("SqlResource\\.load\\(\\s*\"([a-z0-9_]+)\"");
    private static final Pattern LITERAL = Pattern.compile("\"([a-z0-9_]+)\"");

    private final Path connector = Path.of(System.getProperty("user.dir")).resolve("..").normalize();

    @Test
    void everyLoadedStatementHasItsFileInItsModuleOrBelow() {
        List<String> missing = new ArrayList<>();
        Set<String> visible = new TreeSet<>();
        for (String module : MODULES) {
            visible.addAll(sqlFiles(module).keySet());
            for (Map.Entry<Path, String> source : sources(module).entrySet()) {
                Matcher load = LOAD.matcher(source.getValue());
                while (load.find()) {
                    if (!visible.contains(load.group(1))) {
                        missing.add(load.group(1) + " (loaded by " + connector.relativize(source.getKey()) + ")");
                    }
                }
            }
        }
        assertThat(missing).as("statement names with no .sql file in the module or below").isEmpty();
    }

    @Test
    void everyStatementFileIsNamedByCodeOfItsModuleOrAbove() {
        List<String> unused = new ArrayList<>();
        for (int i = 0; i < MODULES.size(); i++) {
            Set<String> named = new TreeSet<>();
            for (String module : MODULES.subList(i, MODULES.size())) {
                for (String text : sources(module).values()) {
                    Matcher literal = LITERAL.matcher(text);
                    while (literal.find()) {
                        named.add(literal.group(1));
                    }
                }
            }
            for (Map.Entry<String, Path> file : sqlFiles(MODULES.get(i)).entrySet()) {
                if (!named.contains(file.getKey())) {
                    unused.add(connector.relativize(file.getValue()).toString());
                }
            }
        }
        assertThat(unused).as(".sql files that no code names").isEmpty();
    }

    @Test
    void theCheckSeesTheStatementsOfEveryModule() {
        for (String module : MODULES) {
            assertThat(sqlFiles(module)).as(module).isNotEmpty();
        }
    }

    private Map<String, Path> sqlFiles(String module) {
        Path root = connector.resolve(module).resolve("src/main/resources/dev/eventstore/sql");
        Map<String, Path> files = new LinkedHashMap<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> paths = Files.list(root)) {
                paths.filter(p -> p.toString().endsWith(".sql"))
                        .forEach(p -> files.put(p.getFileName().toString().replaceAll("\\.sql$", ""), p));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    private Map<Path, String> sources(String module) {
        Map<Path, String> sources = new LinkedHashMap<>();
        try (Stream<Path> paths = Files.walk(connector.resolve(module).resolve("src/main/java"))) {
            for (Path path : paths.filter(p -> p.toString().endsWith(".java")).toList()) {
                sources.put(path, Files.readString(path));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sources;
    }
}
