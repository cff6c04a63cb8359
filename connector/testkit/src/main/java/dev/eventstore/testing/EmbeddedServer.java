package dev.eventstore.testing;

import dev.eventstore.jdbc.ConnectionSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL (zonky's binaries, from Maven Central) in a child process of the test JVM,
 * listening on loopback, its data in a temporary directory deleted when it stops. No Docker.
 */
final class EmbeddedServer extends DatabaseServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);

    private final EmbeddedPostgres postgres;
    private final ConnectionSettings settings;

    private EmbeddedServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
        this.settings = new ConnectionSettings(
                "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", "postgres", null);
    }

    static EmbeddedServer start() {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1");
        settingsForChangeDataCapture().forEach(builder::setServerConfig);
        long started = System.nanoTime();
        try {
            EmbeddedPostgres postgres = builder.start();
            log.info("Test kit: embedded PostgreSQL started on 127.0.0.1:{} in {} ms",
                    postgres.getPort(), (System.nanoTime() - started) / 1_000_000);
            return new EmbeddedServer(postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL failed to start: " + e.getMessage(), e);
        }
    }

    @Override
    ConnectionSettings settings() {
        return settings;
    }

    @Override
    String describe() {
        return "embedded PostgreSQL " + settings.displayUrl();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("Test kit: embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }
}
