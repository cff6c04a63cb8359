package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.bridge.MirrorService;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The mirror built into {@code run} and the {@code mirror} service take the same mirror lock, so
 * exactly one of them writes: whichever started first; the other waits and takes over when the
 * first stops, in both directions.
 */
class MirrorLockIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final BridgeTestAccess support = new BridgeTestAccess();
    private EventBridge bridge;
    private MirrorService mirror;
    private MirrorService standby;

    private BridgeConfig config() {
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put("EVENTSTORE_MIRROR_ENABLED", "true");
        environment.put("EVENTSTORE_MIRROR_INTERVAL_MS", "300");
        environment.put("EVENTSTORE_MIRROR_GROUPS", "mirror-lock-it-none");
        return BridgeConfig.load(new Properties(), environment);
    }

    @AfterEach
    void stop() {
        for (AutoCloseable service : new AutoCloseable[] {standby, mirror, bridge}) {
            if (service != null) {
                try {
                    service.close();
                } catch (Exception ignored) {
                    // closing anyway
                }
            }
        }
        support.dropSlot();
    }

    private static boolean holds(String scrape) {
        return scrape.contains("eventstore_mirror_lock_held 1.0");
    }

    private static boolean waits(String scrape) {
        return scrape.contains("eventstore_mirror_lock_held 0.0");
    }

    @Test
    void runsMirrorAndTheMirrorServiceNeverWriteTogether() throws Exception {
        // The service first: the bridge's built-in mirror waits.
        mirror = MirrorService.start(config());
        await().atMost(TIMEOUT).until(() -> holds(mirror.scrape()));
        bridge = EventBridge.start(config(), false);
        bridge.ready().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        await().during(Duration.ofSeconds(2)).atMost(TIMEOUT).until(() -> waits(bridge.metrics().scrape()) && holds(mirror.scrape()));

        // The service stops: the bridge's mirror takes over.
        mirror.close();
        await().atMost(TIMEOUT).until(() -> holds(bridge.metrics().scrape()));

        // A service started now waits for the bridge's mirror, as a ready standby.
        standby = MirrorService.start(config());
        await().atMost(TIMEOUT).until(() -> standby.readiness().check("pass").detail().startsWith("standby"));
        await().during(Duration.ofSeconds(2)).atMost(TIMEOUT)
                .until(() -> waits(standby.scrape()) && holds(bridge.metrics().scrape()));
        // Ready once its first checks of Kafka and PostgreSQL (on a thread of their own) have answered.
        await().atMost(TIMEOUT).until(() -> standby.readiness().up());
        assertThat(standby.readiness().check("pass").detail()).as(standby.readiness().toJson()).startsWith("standby");

        // The bridge stops: the service takes over.
        bridge.close();
        await().atMost(TIMEOUT).until(() -> holds(standby.scrape()));
        assertThat(standby.readiness().check("pass").detail()).doesNotStartWith("standby");
    }
}
