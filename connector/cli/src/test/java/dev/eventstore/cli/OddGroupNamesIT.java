package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.SubscriptionPosition;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
import dev.eventstore.bridge.OffsetMirror;
import dev.eventstore.testing.TestKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Consumer group names Kafka allows but a subscription id cannot be (a control character, 300
 * characters): the offset mirror skips them and mirrors the other groups; status shows them
 * flagged instead of failing.
 */
class OddGroupNamesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final Cli cli = new Cli();
    private final long unique = System.nanoTime();
    // Listed before the plain group (Kafka lists groups in no fixed order; the names sort first).
    private final String control = "a-adv\u0001ctl-" + unique;
    private final String tooLong = "a-" + unique + "-" + "x".repeat(300);
    private final String plain = "z-plain-" + unique;
    private EventBridge bridge;

    OddGroupNamesIT() {
        support.environment().forEach(cli::with);
        cli.with("EVENTSTORE_MIRROR_ENABLED", "false");
    }

    private BridgeConfig config() {
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put("EVENTSTORE_MIRROR_ENABLED", "false");
        return BridgeConfig.load(new Properties(), environment);
    }

    @BeforeEach
    void startBridge() throws Exception {
        bridge = EventBridge.start(config(), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        bridge.close();
        support.dropSlot();
    }

    @Test
    void oddGroupNamesAreSkippedByTheMirrorAndFlaggedInStatus() throws Exception {
        for (int i = 0; i < 6; i++) {
            support.store().append("game-odd", ExpectedVersion.ANY, EventData.of("Tick", "{}"));
        }
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readUntil(support.topics(), r -> r.size() >= 6, TIMEOUT);
        TopicPartition partition = new TopicPartition(records.get(0).topic(), records.get(0).partition());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            for (String group : List.of(control, tooLong, plain)) {
                admin.alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(4)))
                        .all().get(30, TimeUnit.SECONDS);
            }
        }

        try (OffsetMirror mirror = new OffsetMirror(config())) {
            mirror.mirrorOnce(); // would throw on the first odd group
            mirror.mirrorOnce();
        }
        assertThat(support.store().subscriptions().positions(plain)).extracting(SubscriptionPosition::lastSeenStreamVersion)
                .as("the plain group is mirrored").containsExactly(4L);

        Cli.Result status = cli.run("status");
        assertThat(status.exitCode()).as(status.all()).isZero();
        assertThat(status.out()).contains("\"a-adv\\x01ctl-" + unique + "\" (!)")
                .contains("(!) \"a-adv\\x01ctl-" + unique + "\": not mirrored into PostgreSQL")
                .contains("\"a-" + unique + "-xxx").contains("(" + tooLong.length() + " characters)")
                .doesNotContain("\u0001");
        assertThat(status.out().lines().filter(l -> l.contains(plain) && l.contains("subscriptions")))
                .as("the plain group, mirrored").hasSize(1);
        assertThat(status.err().lines()).as("one warning per odd group").hasSize(2)
                .allMatch(l -> l.startsWith("eventstore: warning: consumer group \"a-"));

        Cli.Result json = cli.run("status", "--json");
        assertThat(json.exitCode()).as(json.all()).isZero();
        assertThat(json.out()).contains("\"group\" : \"a-adv\\u0001ctl-" + unique + "\"")
                .contains("\"flag\" : \"not mirrored: its name is not a valid subscription id (it contains control characters")
                .contains("\"group\" : \"" + plain + "\"");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).path("groups").size())
                .isGreaterThanOrEqualTo(3);
    }
}
