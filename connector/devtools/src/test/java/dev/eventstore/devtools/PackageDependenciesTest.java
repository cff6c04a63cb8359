package dev.eventstore.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The product's packages depend on each other one way: no cycle among them, and the bridge
 * runtime and the operator's command line never reach the developer tools, the embedded servers
 * or the simulation. Read from the main sources' imports and fully qualified names. The library
 * module's packages ({@code dev.eventstore} and the {@code schema}, {@code serializer} and
 * {@code jdbc} packages under it) count as one: its API package and its sub-packages name each
 * other by design.
 */
class PackageDependenciesTest {

    private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.eventstore(?:\\.[a-z]+)*)\\.[A-Z]");
    private static final Pattern PACKAGE = Pattern.compile("^package ([a-z.]+);", Pattern.MULTILINE);

    private static final Set<String> LIBRARY = Set.of("dev.eventstore", "dev.eventstore.schema",
            "dev.eventstore.serializer", "dev.eventstore.jdbc");

    private final Path connector = Path.of(System.getProperty("user.dir")).resolve("..").normalize();

    @Test
    void noPackageCycles() {
        Map<String, Set<String>> graph = graph();
        List<String> cycles = new ArrayList<>();
        for (String start : graph.keySet()) {
            for (String next : graph.get(start)) {
                if (reaches(graph, next, start, new TreeSet<>())) {
                    cycles.add(start + " -> " + next + " -> ... -> " + start);
                }
            }
        }
        assertThat(cycles).isEmpty();
    }

    @Test
    void runtimeAndCommandLineNeverUseDeveloperTools() {
        Map<String, Set<String>> graph = graph();
        Set<String> developerOnly = Set.of("dev.eventstore.devtools", "dev.eventstore.bench", "dev.eventstore.demo",
                "dev.eventstore.embedded", "dev.eventstore.simulation");
        List<String> wrong = new ArrayList<>();
        for (String product : List.of("dev.eventstore.bridge", "dev.eventstore.cli", "dev.eventstore.admin",
                "dev.eventstore.maintenance")) {
            assertThat(graph).containsKey(product);
            for (String target : developerOnly) {
                if (reaches(graph, product, target, new TreeSet<>())) {
                    wrong.add(product + " reaches " + target);
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static boolean reaches(Map<String, Set<String>> graph, String from, String to, Set<String> seen) {
        if (from.equals(to)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        for (String next : graph.getOrDefault(from, Set.of())) {
            if (reaches(graph, next, to, seen)) {
                return true;
            }
        }
        return false;
    }

    private static String unit(String pkg) {
        return LIBRARY.contains(pkg) ? "dev.eventstore" : pkg;
    }

    /** Package to the other product packages its main sources name, library packages as one. */
    private Map<String, Set<String>> graph() {
        return graph(connector, PackageDependenciesTest::unit);
    }

    /**
     * Package to the other product packages its main sources name, in every module under
     * {@code connector}; {@code unit} maps a package to the node it counts as.
     */
    static Map<String, Set<String>> graph(Path connector, UnaryOperator<String> unit) {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> modules = Files.list(connector)) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                        String text = Files.readString(file);
                        Matcher pkg = PACKAGE.matcher(text);
                        if (!pkg.find()) {
                            continue;
                        }
                        String self = unit.apply(pkg.group(1));
                        Set<String> uses = graph.computeIfAbsent(self, p -> new TreeSet<>());
                        Matcher reference = REFERENCE.matcher(text);
                        while (reference.find()) {
                            if (!unit.apply(reference.group(1)).equals(self)) {
                                uses.add(unit.apply(reference.group(1)));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }
}
