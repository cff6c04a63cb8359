package dev.eventstore.testing;

import dev.eventstore.jdbc.ConnectionSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * PostgreSQL in a Docker container (Testcontainers' {@code PostgreSQLContainer}), of the image the
 * options name ({@link Options#DEFAULT_IMAGE} unless set). Loaded only in this mode, so
 * Testcontainers is an optional dependency of the kit.
 */
final class ContainerServer extends DatabaseServer {

    private static final Logger log = LoggerFactory.getLogger(ContainerServer.class);

    private final PostgreSQLContainer container;
    private final ConnectionSettings settings;

    private ContainerServer(PostgreSQLContainer container) {
        this.container = container;
        this.settings = new ConnectionSettings(container.getJdbcUrl(), container.getUsername(), container.getPassword());
    }

    /** Whether Testcontainers is on the class path; the mode needs it. */
    static boolean onClassPath() {
        try {
            Class.forName("org.testcontainers.postgresql.PostgreSQLContainer", false, ContainerServer.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static volatile Boolean docker;

    /** Whether a Docker daemon answers (asked once per JVM); only when Testcontainers is on the class path. */
    static boolean dockerAvailable() {
        if (docker == null) {
            boolean available;
            try {
                available = DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                available = false;
            }
            docker = available;
        }
        return docker;
    }

    static ContainerServer start(String image) {
        List<String> command = new ArrayList<>(List.of("postgres"));
        for (Map.Entry<String, String> setting : settingsForChangeDataCapture().entrySet()) {
            command.add("-c");
            command.add(setting.getKey() + "=" + setting.getValue());
        }
        @SuppressWarnings("resource") // stopped by close()
        PostgreSQLContainer container = new PostgreSQLContainer(image).withCommand(command.toArray(String[]::new));
        long started = System.nanoTime();
        container.start();
        log.info("Test kit: PostgreSQL container {} started in {} ms", image, (System.nanoTime() - started) / 1_000_000);
        return new ContainerServer(container);
    }

    @Override
    ConnectionSettings settings() {
        return settings;
    }

    @Override
    String describe() {
        return "PostgreSQL container " + container.getDockerImageName() + " at " + settings.displayUrl();
    }

    @Override
    public void close() {
        container.stop();
    }
}
