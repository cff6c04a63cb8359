package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.BridgeTestAccess;
import dev.eventstore.bridge.EventBridge;
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
 * replay --to-time with times Kafka cannot look up: before 1970 (negative epoch milliseconds,
 * which Kafka reads as "latest" and other codes) replays everything; a time before 1900 is refused
 * in one line.
 */
class ReplayTimeLimitsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final BridgeTestAccess support = new BridgeTestAccess();
    private final Cli cli = new Cli();
    private final String group = "replay-time-" + System.nanoTime();
    private EventBridge bridge;

    ReplayTimeLimitsIT() {
        support.environment().forEach(cli::with);
    }

    @BeforeEach
    void startBridge() throws Exception {
        Map<String, String> environment = new HashMap<>(support.environment());
        environment.put("EVENTSTORE_MIRROR_ENABLED", "false");
        bridge = EventBridge.start(BridgeConfig.load(new Properties(), environment), false);
        bridge.ready().get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        bridge.close();
        support.dropSlot();
    }

    private long committed(TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(partition);
            return offset == null ? -1 : offset.offset();
        }
    }

    @Test
    void replayToTime1969ReplaysEverythingAnd0001IsRefused() throws Exception {
        for (int i = 0; i < 12; i++) {
            support.store().append("game-t", ExpectedVersion.ANY, EventData.of("Tick", "{}"));
        }
        List<ConsumerRecord<String, byte[]>> records = TestKafka.readUntil(support.topics(), r -> r.size() >= 12, TIMEOUT);
        TopicPartition partition = new TopicPartition(records.get(0).topic(), records.get(0).partition());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(12))).all().get(30, TimeUnit.SECONDS);
        }

        Cli.Result lastMillisecond = cli.run("replay", "--group", group, "--to-time", "1969-12-31T23:59:59.999Z");
        assertThat(lastMillisecond.exitCode()).as(lastMillisecond.all()).isZero();
        assertThat(lastMillisecond.out()).contains("its consumers replay 12 events");
        assertThat(committed(partition)).as("every record, not Kafka's -1 (latest)").isZero();

        Cli.Result moonLanding = cli.run("replay", "--group", group, "--to-time", "1969-07-20T20:17:40Z", "--dry-run");
        assertThat(moonLanding.exitCode()).as(moonLanding.all()).isZero();
        assertThat(moonLanding.out()).contains(partition + " ").contains("would replay 0 events"); // already at 0

        Cli.Result yearOne = cli.run("replay", "--group", group, "--to-time", "0001-01-01T00:00:00Z");
        assertThat(yearOne.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(yearOne.out()).isEmpty();
        assertThat(yearOne.err()).isEqualTo("eventstore: invalid --to-time: time 0001-01-01T00:00:00Z is before 1900:"
                + " no Kafka record is that old (record times start in 1970); use --to-earliest to replay everything\n");
    }
}
