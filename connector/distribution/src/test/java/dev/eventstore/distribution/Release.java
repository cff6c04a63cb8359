package dev.eventstore.distribution;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The release archive as a user gets it: unpacked with {@code tar} into an empty directory outside
 * the checkout, its {@code bin/eventstore} run as a child process with a PATH of only the tools the
 * launcher needs (a directory holding a link to {@code java}; no {@code mvn}), no JAVA_HOME and
 * no EVENTSTORE_* variable but those a test gives.
 */
final class Release {

    static final String VERSION = System.getProperty("eventstore.distribution.version");
    static final Path ARCHIVE = Path.of(System.getProperty("eventstore.distribution.archive"));
    static final Path REPOSITORY = Path.of(System.getProperty("eventstore.repository.root")).toAbsolutePath().normalize();

    /** The unpacked eventstore-VERSION/ directory. */
    final Path home;
    /** The only directory on the launcher's PATH. */
    final Path tools;

    private Release(Path home, Path tools) {
        this.home = home;
        this.tools = tools;
    }

    /** Unpacks the archive into {@code directory}, which must be empty and outside the checkout. */
    static Release unpack(Path directory) throws IOException, InterruptedException {
        Path dir = directory.toAbsolutePath().normalize();
        if (dir.startsWith(REPOSITORY)) {
            throw new IllegalArgumentException(dir + " lies inside the checkout " + REPOSITORY);
        }
        try (var children = Files.list(dir)) {
            if (children.findAny().isPresent()) {
                throw new IllegalArgumentException(dir + " is not empty");
            }
        }
        if (!Files.isRegularFile(ARCHIVE)) {
            throw new AssertionError("no release archive at " + ARCHIVE + " (run mvn package first)");
        }
        Path unpacked = Files.createDirectory(dir.resolve("install"));
        Result tar = exec(List.of("tar", "-xzf", ARCHIVE.toString(), "-C", unpacked.toString()), null, null, 120);
        if (tar.exitCode() != 0) {
            throw new AssertionError("tar failed: " + tar.all());
        }
        Path tools = Files.createDirectory(dir.resolve("tools"));
        Files.createSymbolicLink(tools.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        return new Release(unpacked.resolve("eventstore-" + VERSION), tools);
    }

    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** The environment a launched command gets: PATH of {@link #tools} only, plus {@code env}. */
    ProcessBuilder launcher(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/eventstore").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", tools.toString());
        environment.put("HOME", home.getParent().toString());
        environment.put("EVENTSTORE_JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1");
        environment.putAll(env);
        builder.directory(home.getParent().toFile());
        return builder;
    }

    /** Runs {@code bin/eventstore args} to its end. */
    Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return exec(launcher(env, args), 180);
    }

    /** A shell command with the launcher's PATH (to show what it finds there). */
    Result shell(String script) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", script);
        builder.environment().clear();
        builder.environment().put("PATH", tools.toString());
        return exec(builder, 30);
    }

    private static Result exec(List<String> command, Path directory, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        return exec(builder, timeoutSeconds);
    }

    static Result exec(ProcessBuilder builder, int timeoutSeconds) throws IOException, InterruptedException {
        Process process = builder.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outReader = new Thread(() -> copy(process.getInputStream(), out));
        Thread errReader = new Thread(() -> copy(process.getErrorStream(), err));
        outReader.start();
        errReader.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(builder.command() + " did not finish within " + timeoutSeconds + " s");
        }
        outReader.join(10_000);
        errReader.join(10_000);
        return new Result(process.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void copy(InputStream in, ByteArrayOutputStream sink) {
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (sink) {
                    sink.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // The process ended.
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
