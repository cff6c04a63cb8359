package dev.eventstore.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml through a real Compose implementation, offline: {@code docker-compose config}
 * (Debian's docker-compose package; it needs no Docker engine for this) parses the file, applies
 * .env.example and both profiles, and rejects what Compose would reject. Skipped where no
 * docker-compose is installed; DockerComposeTest checks the rest without it. An integration test
 * only because it runs a process outside the JVM.
 */
class DockerComposeConfigIT {

    @Test
    void composeAcceptsTheFileWithTheEnvExampleAndBothProfiles() throws Exception {
        Path compose = Stream.of("/usr/bin/docker-compose", "/usr/local/bin/docker-compose").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(compose != null, "docker-compose is not installed (apt-get install docker-compose)");
        Path root = ConnectDeployment.repositoryRoot();
        Path env = Files.createTempFile("compose-", ".env");
        try {
            Files.copy(root.resolve(".env.example"), env, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Process process = new ProcessBuilder(compose.toString(), "--project-directory", root.toString(),
                    "--env-file", env.toString(), "-f", root.resolve("docker-compose.yml").toString(),
                    "--profile", "connect", "--profile", "bridge", "config", "--services")
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output.lines()).containsExactlyInAnyOrder("postgres", "migrate", "kafka", "connect",
                    "connect-setup", "bridge");
        } finally {
            Files.deleteIfExists(env);
        }
    }
}
