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
 * Every package of the main sources has a {@code package-info.java} that says what it holds and
 * what it may depend on ({@code May depend on: {@code dev.eventstore.x}, ...}), and its classes
 * name no other package of the product than those. {@link PackageDependenciesTest} checks the
 * graph as a whole (no cycles, no developer tools in the product); this keeps each package's own
 * statement true.
 */
class PackageInfoTest {

    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([a-z.]+);");
    private static final Pattern MAY_DEPEND = Pattern.compile("(?s)May depend on:(.*?)(?:\\*/|<p>)");
    private static final Pattern CODE = Pattern.compile("\\{@code (dev\\.eventstore[a-z.]*)}");

    private final Path connector = Path.of(System.getProperty("user.dir")).resolve("..").normalize();

    @Test
    void everyPackageSaysWhatItHoldsAndNamesOnlyThePackagesItMayDependOn() throws IOException {
        Map<String, Set<String>> uses = PackageDependenciesTest.graph(connector, UnaryOperator.identity());
        Map<String, Path> infos = new TreeMap<>();
        try (Stream<Path> modules = Files.list(connector)) {
            for (Path sources : modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(sources)) {
                    for (Path file : files.filter(f -> f.getFileName().toString().equals("package-info.java")).toList()) {
                        Matcher pkg = PACKAGE.matcher(read(file));
                        if (pkg.find()) {
                            infos.put(pkg.group(1), file);
                        }
                    }
                }
            }
        }
        assertThat(uses).containsKeys("dev.eventstore", "dev.eventstore.bridge", "dev.eventstore.consumer");
        assertThat(infos.keySet()).as("packages with a package-info.java").containsAll(uses.keySet());

        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Set<String>> entry : uses.entrySet()) {
            String info = read(infos.get(entry.getKey()));
            Matcher mayDepend = MAY_DEPEND.matcher(info);
            if (!mayDepend.find()) {
                wrong.add(entry.getKey() + ": no 'May depend on:' paragraph");
                continue;
            }
            assertThat(info.substring(0, mayDepend.start()).replaceAll("[/*\\s]", "")).as(entry.getKey() + " says what it holds")
                    .hasSizeGreaterThan(40);
            Set<String> allowed = new TreeSet<>();
            Matcher code = CODE.matcher(mayDepend.group(1));
            while (code.find()) {
                allowed.add(code.group(1));
            }
            for (String used : entry.getValue()) {
                if (!allowed.contains(used)) {
                    wrong.add(entry.getKey() + " uses " + used + ", which its package-info.java does not allow");
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
