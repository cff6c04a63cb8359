package dev.eventstore.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** bin/eventstore, the README's first command, runs the jar this build packaged. */
class LauncherIT {

    @Test
    void launcherRunsThePackagedJar() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
        ProcessBuilder builder = new ProcessBuilder(root.resolve("bin/eventstore").toString(), "--version");
        builder.environment().keySet().removeIf(k -> k.startsWith("EVENTSTORE_"));
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out + err).isZero();
        // Implementation-Version comes from the packaged jar's manifest, not from test classes.
        assertThat(out.trim()).isEqualTo("eventstore 0.1.0-SNAPSHOT");
        assertThat(err).as("the freshly packaged jar must not be rebuilt").doesNotContain("building");
    }
}
