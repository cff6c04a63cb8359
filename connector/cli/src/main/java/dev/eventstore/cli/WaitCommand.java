package dev.eventstore.cli;

import dev.eventstore.AwaitTimeoutException;
import dev.eventstore.EventStore;
import dev.eventstore.InvalidRequestException;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "wait", mixinStandardHelpOptions = true,
        description = {
            "Wait until an event is in Kafka, or consumed by a consumer group (--group).",
            "Reads your own writes from a script. Exit 0 once reached, " + ExitCodes.TIMED_OUT + " if --timeout passes first",
            "(stderr then names where the stream stands: the last published record, the group's last",
            "consumed one, as topic, partition and offset). Published positions come from the bridge",
            "(eventstore run) or, where Kafka Connect publishes, from the offset mirror (eventstore mirror);",
            "a group's position from the consumer library or the offset mirror."
        })
final class WaitCommand extends DatabaseCommand {

    @Option(names = "--event-id", paramLabel = "N", required = true, description = "The event to wait for.")
    long eventId;

    @Option(names = "--group", paramLabel = "GROUP",
            description = "Wait until this consumer group has consumed the event (default: until it is in Kafka).")
    String group;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = CleanupCommand.AgeConverter.class,
            description = "Longest wait: 30s, 5m or PT30S (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print the outcome as JSON for machines (the exit codes are the same).")
    boolean json;

    /** {@code wait --json}: the event, the group (or null), whether it was reached, and the detail line. */
    record JsonWait(long eventId, String group, boolean reached, String detail) {
    }

    @Override
    public Integer call() {
        try (EventStore store = StreamCommand.store(database, environment())) {
            String reached = group == null ? "Event " + eventId + " is in Kafka."
                    : "Event " + eventId + " is consumed by group " + group + ".";
            try {
                if (group == null) {
                    store.awaitPublished(eventId, timeout);
                } else {
                    store.awaitConsumed(group, eventId, timeout);
                }
            } catch (InvalidRequestException e) {
                throw StreamCommand.usage(e);
            } catch (AwaitTimeoutException e) {
                if (json) {
                    Json.print(out(), new JsonWait(eventId, group, false, e.getMessage()));
                    return ExitCodes.TIMED_OUT;
                }
                throw new CommandFailedException(e.getMessage(), ExitCodes.TIMED_OUT, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailedException("interrupted while waiting for event " + eventId, ExitCodes.FAILURE, e);
            }
            if (json) {
                Json.print(out(), new JsonWait(eventId, group, true, reached));
            } else {
                out().println(reached);
            }
            return ExitCodes.OK;
        }
    }
}
