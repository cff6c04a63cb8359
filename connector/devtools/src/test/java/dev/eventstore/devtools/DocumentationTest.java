package dev.eventstore.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository's documents and comments describe the product as it is, and its Markdown links
 * lead somewhere.
 *
 * <ul>
 *   <li>No tracked text file (documents, sources, SQL, build files, configuration, scripts) narrates
 *       how the project was made: no reference to an issue or a work session by its number, to the
 *       design notes or specification kept outside the repository, or to what a fix changed.</li>
 *   <li>Every relative link of a tracked Markdown file names a file or directory of the checkout,
 *       and every {@code #anchor} a heading of the document it points to.</li>
 * </ul>
 * Tracked files are those {@code git ls-files} lists; without git, every file of the checkout
 * outside {@code target/} and hidden directories.
 */
class DocumentationTest {

    /** What narration of the project's history looks like; each with what to write instead. */
    private static final Map<Pattern, String> NARRATION = narration();

    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]\\n]*]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_LINK = Pattern.compile("^\\s{0,3}\\[[^\\]]+]:\\s*<?(\\S+?)>?(?:\\s+\".*\")?\\s*$",
            Pattern.MULTILINE);
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");

    private final Path root = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();

    @Test
    void noTrackedFileNarratesTheProjectsHistory() {
        List<String> found = new ArrayList<>();
        for (Path file : trackedFiles()) {
            String text = text(file);
            if (text == null) {
                continue;
            }
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                for (Map.Entry<Pattern, String> rule : NARRATION.entrySet()) {
                    Matcher match = rule.getKey().matcher(lines[i]);
                    if (match.find()) {
                        found.add(root.relativize(file) + ":" + (i + 1) + ": '" + match.group() + "' (" + rule.getValue() + ")");
                    }
                }
            }
        }
        assertThat(found).as("narration of the project's history in tracked files").isEmpty();
    }

    @Test
    void theNarrationCheckFindsEachKind() {
        // Built from pieces, so that this source does not match its own patterns.
        List<String> narrating = List.of("see iss" + "ue 14 for the details", "Iss" + "ue #7", "as in sess" + "ion 3",
                "cited in DES" + "IGN.md", "from ../sha" + "red/spec", "What happened before the f" + "ix:",
                "Bugs it fou" + "nd, fixed:",
                "two peri" + "ods of work");
        for (String line : narrating) {
            assertThat(NARRATION.keySet().stream().anyMatch(p -> p.matcher(line).find())).as(line).isTrue();
        }
        List<String> plain = List.of("the lock's session ended", "database session settings", "KAFKA-15591",
                "docs/design.md", "the shared PostgreSQL of the tests", "issue tracking", "version 1 for all events",
                "resumes from it once the cause is fixed");
        for (String line : plain) {
            assertThat(NARRATION.keySet().stream().noneMatch(p -> p.matcher(line).find())).as(line).isTrue();
        }
    }

    @Test
    void everyRelativeLinkOfAMarkdownFileResolves() {
        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchorsByFile = new HashMap<>();
        List<Path> documents = trackedFiles().stream().filter(f -> f.getFileName().toString().endsWith(".md")).toList();
        assertThat(documents).as("Markdown files found").isNotEmpty();
        for (Path document : documents) {
            for (String target : links(text(document))) {
                String problem = check(document, target, anchorsByFile);
                if (problem != null) {
                    broken.add(root.relativize(document) + ": (" + target + ") " + problem);
                }
            }
        }
        assertThat(broken).as("relative links that lead nowhere").isEmpty();
    }

    @Test
    void theLinkCheckReadsLinksAndAnchorsAsGitHubDoes() {
        assertThat(links("See [a](docs/a.md#b-c) and ![img](x.png \"t\"), `[no](code.md)`.\n```\n[no](fenced.md)\n```\n"
                + "[ref]: ../y.md\n[web](https://example.com)"))
                .containsExactly("docs/a.md#b-c", "x.png", "../y.md", "https://example.com");
        assertThat(anchors("# The `Kafka` record, of an event\n## Step 1. Install\n## Step 1. Install\n```\n# not\n```\n"))
                .containsExactly("the-kafka-record-of-an-event", "step-1-install", "step-1-install-1");
    }

    private String check(Path document, String target, Map<Path, Set<String>> anchorsByFile) {
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return null; // https:, mailto: and other schemes
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty() ? document : document.getParent().resolve(path).normalize();
        if (!resolved.startsWith(root)) {
            return "points outside the repository";
        }
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (anchor != null && !anchor.isEmpty() && resolved.getFileName().toString().endsWith(".md")) {
            Set<String> anchors = anchorsByFile.computeIfAbsent(resolved, f -> anchors(text(f)));
            if (!anchors.contains(anchor)) {
                return "no heading for #" + anchor;
            }
        }
        return null;
    }

    /** Link targets outside code: inline links and images, and reference definitions. */
    static List<String> links(String markdown) {
        List<String> targets = new ArrayList<>();
        for (String line : prose(markdown)) {
            String text = INLINE_CODE.matcher(line).replaceAll("");
            Matcher link = LINK.matcher(text);
            while (link.find()) {
                targets.add(link.group(1));
            }
            Matcher reference = REFERENCE_LINK.matcher(text);
            while (reference.find()) {
                targets.add(reference.group(1));
            }
        }
        return targets;
    }

    /** The anchors GitHub gives the headings of a document, in order. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(markdown)) {
            Matcher heading = HEADING.matcher(line);
            if (!heading.matches()) {
                continue;
            }
            String slug = heading.group(1).toLowerCase(java.util.Locale.ROOT)
                    .replaceAll("<[^>]+>", "")
                    .replaceAll("[^\\p{L}\\p{N}\\p{Mn}\\p{Pc} -]", "")
                    .replace(' ', '-');
            int count = seen.merge(slug, 1, Integer::sum);
            anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
        }
        return anchors;
    }

    /** The lines of a Markdown document outside fenced code blocks. */
    private static List<String> prose(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
            } else if (!fenced) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static Map<Pattern, String> narration() {
        Map<Pattern, String> rules = new java.util.LinkedHashMap<>();
        rules.put(Pattern.compile("\\bissues?\\s*#?\\s*\\d+", Pattern.CASE_INSENSITIVE),
                "an issue's number: say what the code does and why");
        rules.put(Pattern.compile("\\bsessions?\\s+#?\\d+", Pattern.CASE_INSENSITIVE),
                "a work session's number: say what the code does and why");
        rules.put(Pattern.compile("DESIGN\\.md"), "a design note outside the repository: cite docs/design.md");
        rules.put(Pattern.compile("\\.\\./shared\\b"), "a file outside the repository: say it in docs/");
        rules.put(Pattern.compile("\\b(before|after) the fix\\b", Pattern.CASE_INSENSITIVE),
                "an account of a fix: describe the behaviour as it is");
        rules.put(Pattern.compile("\\bfound,? (and )?fixed\\b", Pattern.CASE_INSENSITIVE),
                "an account of a fix: describe the behaviour as it is");
        rules.put(Pattern.compile("\\bperiods? of work\\b", Pattern.CASE_INSENSITIVE),
                "the project's history: git keeps it");
        return rules;
    }

    /** The file's text, or null for a file that is not UTF-8 text. */
    private static String text(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            for (byte b : bytes) {
                if (b == 0) {
                    return null;
                }
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Path> trackedFiles() {
        if (Files.exists(root.resolve(".git"))) {
            try {
                Process git = new ProcessBuilder("git", "ls-files", "-z").directory(root.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                byte[] out = git.getInputStream().readAllBytes();
                if (git.waitFor(30, TimeUnit.SECONDS) && git.exitValue() == 0) {
                    List<Path> files = new ArrayList<>();
                    for (String name : new String(out, StandardCharsets.UTF_8).split("\0")) {
                        Path file = root.resolve(name);
                        if (!name.isEmpty() && Files.isRegularFile(file)) {
                            files.add(file);
                        }
                    }
                    return files;
                }
            } catch (IOException e) {
                // no git on the PATH: walk the checkout instead
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while listing tracked files", e);
            }
        }
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile)
                    .filter(p -> {
                        Path relative = root.relativize(p);
                        for (int i = 0; i < relative.getNameCount() - 1; i++) {
                            String directory = relative.getName(i).toString();
                            if (directory.equals("target") || (directory.startsWith(".") && !directory.equals(".ci"))) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
