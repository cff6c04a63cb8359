package dev.eventstore.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every SQL statement file lives beside the package whose code runs it
 * ({@code dev/eventstore/<package>/sql/}, as {@code SqlResource} resolves it), or, when several
 * packages run it, in {@code dev/eventstore/sql/} of the lowest module that does. A statement name
 * that resolves to no file, or a {@code .sql} file that no code of its package names, fails the
 * build. Modules are listed in their dependency order.
 */
class SqlResourcesTest {

    private static final List<String> MODULES = List.of("eventstore", "bridge", "cli", "devtools");
    private static final String SHARED = "dev/eventstore/sql";
    private static final Pattern LOAD = Pattern.compile("SqlResource\\.load\\(\\s*\"([a-z0-9_]+)\"");
    private static final Pattern LITERAL = Pattern.compile("\"([a-z0-9_]+)\"");
    private static final Pattern PACKAGE = Pattern.compile("^package ([a-z.]+);", Pattern.MULTILINE);

    private final Path connector = Path.of(System.getProperty("user.dir")).resolve("..").normalize();

    @Test
    void everyLoadedStatementHasItsFileBesideItsPackageOrShared() {
        List<String> missing = new ArrayList<>();
        Set<String> shared = new TreeSet<>();
        for (String module : MODULES) {
            shared.addAll(names(module, SHARED));
            for (Map.Entry<Path, String> source : sources(module).entrySet()) {
                String directory = packageOf(source.getValue()).replace('.', '/') + "/sql";
                Set<String> own = names(module, directory);
                Matcher load = LOAD.matcher(source.getValue());
                while (load.find()) {
                    if (!own.contains(load.group(1)) && !shared.contains(load.group(1))) {
                        missing.add(load.group(1) + " (loaded by " + connector.relativize(source.getKey()) + ")");
                    }
                }
            }
        }
        assertThat(missing).as("statement names with no .sql file beside their package or shared").isEmpty();
    }

    @Test
    void everyStatementFileIsNamedByCodeOfItsPackage() {
        List<String> unused = new ArrayList<>();
        for (int i = 0; i < MODULES.size(); i++) {
            String module = MODULES.get(i);
            Map<String, Set<String>> namedByPackage = new HashMap<>();
            for (String text : sources(module).values()) {
                namedByPackage.computeIfAbsent(packageOf(text), p -> new TreeSet<>()).addAll(literals(text));
            }
            Set<String> namedAbove = new TreeSet<>();
            for (String above : MODULES.subList(i, MODULES.size())) {
                sources(above).values().forEach(text -> namedAbove.addAll(literals(text)));
            }
            for (Path file : sqlFiles(module)) {
                String directory = resources(module).relativize(file.getParent()).toString().replace('\\', '/');
                String name = file.getFileName().toString().replaceAll("\\.sql$", "");
                boolean named = directory.equals(SHARED)
                        ? namedAbove.contains(name)
                        : namedByPackage.getOrDefault(directory.replaceAll("/sql$", "").replace('/', '.'), Set.of())
                                .contains(name);
                if (!named) {
                    unused.add(connector.relativize(file).toString());
                }
            }
        }
        assertThat(unused).as(".sql files that no code of their package names").isEmpty();
    }

    @Test
    void theCheckSeesTheStatementsOfEveryModule() {
        for (String module : MODULES) {
            assertThat(sqlFiles(module)).as(module).isNotEmpty();
        }
    }

    private Path resources(String module) {
        return connector.resolve(module).resolve("src/main/resources");
    }

    private Set<String> names(String module, String directory) {
        Set<String> names = new TreeSet<>();
        Path root = resources(module).resolve(directory);
        if (Files.isDirectory(root)) {
            try (Stream<Path> paths = Files.list(root)) {
                paths.filter(p -> p.toString().endsWith(".sql"))
                        .forEach(p -> names.add(p.getFileName().toString().replaceAll("\\.sql$", "")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    private List<Path> sqlFiles(String module) {
        Path root = resources(module).resolve("dev/eventstore");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(p -> p.toString().endsWith(".sql") && p.getParent().getFileName().toString().equals("sql"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String packageOf(String source) {
        Matcher pkg = PACKAGE.matcher(source);
        return pkg.find() ? pkg.group(1) : "";
    }

    private static Set<String> literals(String text) {
        Set<String> found = new TreeSet<>();
        Matcher literal = LITERAL.matcher(text);
        while (literal.find()) {
            found.add(literal.group(1));
        }
        return found;
    }

    private Map<Path, String> sources(String module) {
        Map<Path, String> sources = new HashMap<>();
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
