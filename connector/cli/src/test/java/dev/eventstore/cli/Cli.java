package dev.eventstore.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code eventstore} command lines in tests, in-process or as a real child process. Public for
 * the fault-injection tests ({@code dev.eventstore.faults}), which run the bridge as a child process.
 */
public final class Cli {

    public record Result(int exitCode, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    private final Map<String, String> environment = new HashMap<>();

    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** Per class path: the class data sharing archive its child JVMs start from, if one could be made. */
    private static final Map<String, Optional<Path>> ARCHIVES = new ConcurrentHashMap<>();

    public Cli with(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public Map<String, String> environment() {
        return environment;
    }

    /** In this JVM, with the given environment instead of the process's. */
    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = EventStoreCommand.execute(new Environment(Map.copyOf(environment)),
                new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** A child JVM running a command line; its output is collected from the start. */
    public static final class Child {
        private final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Thread outReader;
        private final Thread errReader;

        Child(Process process) {
            this.process = process;
            this.outReader = new Thread(() -> copy(process.getInputStream(), out), "child-stdout");
            this.errReader = new Thread(() -> copy(process.getErrorStream(), err), "child-stderr");
            outReader.start();
            errReader.start();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** The child's process id. */
        public long pid() {
            return process.pid();
        }

        /** What the child has printed to stdout so far. */
        public String outSoFar() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        /** What the child has printed to stderr so far. */
        public String errSoFar() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        /** SIGTERM, as Ctrl-C or a service manager would send (without closing our pipes). */
        public void terminate() {
            process.toHandle().destroy();
        }

        public void kill() {
            process.destroyForcibly();
        }

        /** Waits for the child to exit and returns what it printed. */
        public Result finish(long timeoutSeconds) {
            try {
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("command did not finish within " + timeoutSeconds + " s");
                }
                outReader.join(30_000);
                errReader.join(30_000);
                synchronized (out) {
                    synchronized (err) {
                        return new Result(process.exitValue(), out.toString(StandardCharsets.UTF_8),
                                err.toString(StandardCharsets.UTF_8));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        private static void copy(java.io.InputStream in, ByteArrayOutputStream sink) {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (sink) {
                        sink.write(buffer, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        }
    }

    /**
     * The options that start a child JVM from a class data sharing archive of the command line's
     * classes: a suite starts hundreds of children, and each then loads its classes a third faster.
     * The archive is made once per class path and test JVM, by a child that runs {@code run}
     * against a server that is not there (it loads picocli, logback, the settings, the bridge and pgjdbc).
     * Without an archive (it could not be made) a child starts as usual. The JVM's own CDS messages
     * are off: a child's output is the command's. {@code -Deventstore.test.cds=false} turns it off.
     */
    private static List<String> sharedClasses(String classPath) {
        if (!Boolean.parseBoolean(System.getProperty("eventstore.test.cds", "true"))) {
            return List.of();
        }
        return ARCHIVES.computeIfAbsent(classPath, Cli::dumpArchive)
                .map(archive -> List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off"))
                .orElse(List.of());
    }

    private static Optional<Path> dumpArchive(String classPath) {
        try {
            Path directory = Files.createDirectories(Path.of("target", "cds"));
            Path archive = directory.resolve("cli-" + Integer.toHexString(classPath.hashCode()) + ".jsa").toAbsolutePath();
            Files.deleteIfExists(archive); // made again: the jars on the class path may have changed since
            ProcessBuilder builder = new ProcessBuilder(JAVA, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds*=off", "-cp", classPath,
                    EventStoreCommand.class.getName(), "run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().keySet().removeIf(k -> k.startsWith("EVENTSTORE_"));
            builder.environment().putAll(Map.of("EVENTSTORE_DB_URL", "jdbc:postgresql://127.0.0.1:1/none",
                    "EVENTSTORE_DB_USER", "none", "EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"));
            Process dump = builder.start();
            if (!dump.waitFor(120, TimeUnit.SECONDS)) {
                dump.destroyForcibly();
                return Optional.empty();
            }
            return Files.isRegularFile(archive) ? Optional.of(archive) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Starts a child JVM running the command line, with this test's class path. */
    public Child start(Path workingDirectory, String... args) {
        return start(workingDirectory, System.getProperty("java.class.path"), Map.of(), args);
    }

    /**
     * Starts the packaged command line as a child process, as {@code bin/eventstore} runs it: the
     * jar this build packaged with its dependencies in {@code target/lib} (no test classes, so the
     * product's logback.xml, not the tests'), and {@code EVENTSTORE_MIGRATIONS_DIR} set to the
     * checkout's migrations unless this Cli sets it. The launcher script itself is not run because
     * it rebuilds the jar when any source is newer, which a test must not trigger.
     */
    public Child startPackaged(Path workingDirectory, String... args) {
        Path module = Path.of(System.getProperty("user.dir"));
        Path target = module.resolve("target");
        Path jar = target.resolve(module.getFileName().toString().equals("devtools") ? "eventstore-devtools.jar"
                : "eventstore-cli.jar");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(target.resolve("lib"))) {
            throw new AssertionError("no packaged command line at " + jar + " (run mvn package first)");
        }
        Path migrations = module.resolve("../../migrations").normalize();
        return start(workingDirectory, jar + File.pathSeparator + target.resolve("lib") + File.separator + "*",
                Map.of(DatabaseOptions.ENV_MIGRATIONS_DIR, migrations.toString()), args);
    }

    private Child start(Path workingDirectory, String classPath, Map<String, String> defaults, String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        command.addAll(sharedClasses(classPath));
        command.addAll(List.of("-cp", classPath, EventStoreCommand.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("EVENTSTORE_"));
        builder.environment().putAll(defaults);
        builder.environment().putAll(environment);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        try {
            return new Child(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
