package dev.eventstore.consumer;

import dev.eventstore.EventStore;
import dev.eventstore.EventStoreConfig;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.schema.SchemaName;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscriber in a JVM of its own that dies abruptly ({@code Runtime.halt}: no shutdown hook, no
 * rollback, no offset commit, no leaving the group), as a process killed by the OOM killer or a
 * power cut does, at a chosen point:
 * <ul>
 *   <li>{@code in-handler}: in the handler of the N-th event, after its read-model writes and before
 *       the PostgreSQL commit;</li>
 *   <li>{@code after-commit}: after the N-th event's PostgreSQL commit, before its Kafka offset is
 *       committed.</li>
 * </ul>
 * Arguments: db-url db-user schema bootstrap-servers topic group instance-id mode N.
 */
public final class SubscriberChild {

    static final int CRASH_EXIT = 99;

    private SubscriberChild() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // Whatever went wrong, never linger (a stray non-daemon thread would keep this JVM up).
            e.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(2);
        }
        Runtime.getRuntime().halt(1);
    }

    private static void run(String[] args) {
        String url = args[0];
        String user = args[1];
        String schema = args[2];
        String bootstrap = args[3];
        String topic = args[4];
        String group = args[5];
        String instanceId = args[6];
        String mode = args[7];
        int crashAt = Integer.parseInt(args[8]);

        EventStore store = EventStore.open(EventStoreConfig.of(new ConnectionSettings(url, user,
                        System.getenv(dev.eventstore.testing.TestDatabase.ENV_PASSWORD)), SchemaName.of(schema))
                .with(EventStoreConfig.APPLICATION_NAME, "consumer-child"));
        AtomicInteger handled = new AtomicInteger();
        ReadModel model = new ReadModel("child");
        EventHandler handler = (event, connection) -> {
            model.handle(event, connection);
            if (mode.equals("in-handler") && handled.incrementAndGet() == crashAt) {
                System.err.println("CRASH in the handler of " + event + ", before the PostgreSQL commit");
                System.err.flush();
                Runtime.getRuntime().halt(CRASH_EXIT);
            }
        };
        Map<String, Object> config = ConsumerTestSupport.subscriberConfig(group, topic, bootstrap);
        config.put("kafka.group.instance.id", instanceId);
        CheckpointingSubscriber.Builder builder = CheckpointingSubscriber.builder(config).eventStore(store)
                .serializer(ConsumerTestSupport.SERIALIZER).handler(handler);
        if (mode.equals("after-commit")) {
            AtomicInteger committed = new AtomicInteger();
            builder.afterCommit(event -> {
                if (committed.incrementAndGet() == crashAt) {
                    System.err.println("CRASH after the PostgreSQL commit of " + event + ", before the Kafka commit");
                    System.err.flush();
                    Runtime.getRuntime().halt(CRASH_EXIT);
                }
            });
        }
        builder.build().run();
    }

    /** Starts a child JVM with this test's class path; its output goes to {@code log}. */
    static Process start(Path log, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                SubscriberChild.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(new File(log.toString())));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
