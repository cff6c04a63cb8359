package dev.eventstore.bridge;

import io.debezium.connector.postgresql.PostgresPartition;
import io.debezium.data.Envelope.Operation;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.EventDispatcher;
import io.debezium.pipeline.ConnectorEvent;
import io.debezium.pipeline.source.spi.DataChangeEventListener;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.spi.schema.DataCollectionId;
import java.lang.reflect.Field;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's streaming metrics, told of every change without its key.
 *
 * <p>For its {@code LastEvent} attribute, Debezium's streaming metrics format a summary of every
 * change on the capture thread, and a key that is a {@code Struct} (the events table's primary
 * key) is written to JSON by a new Jackson {@code ObjectMapper} for each change
 * ({@code SchemaUtil.asDetailedString}). In a JFR profile of a 100,000-event drain that summary was
 * 29 % of the capture thread's samples, and the capture thread is the one that limits the drain.
 * Without the key, {@code LastEvent} names the change's WAL position only; every counter and
 * timing of the metrics is as before (none of them reads the key).
 *
 * <p>Installed by {@link SlotGuardingTask} once streaming has begun, in the place of the metrics
 * Debezium's coordinator gave its dispatcher; Debezium 3.6 offers no setting or hook for this, so
 * the two are read from the coordinator's fields. If they cannot be read (another Debezium), the
 * bridge runs with Debezium's listener, as it is. The coordinator sets its listener on its own
 * thread without a lock, so if it turns to a snapshot (a blocking snapshot, which the bridge does
 * not signal) just as this one is installed, the snapshot's changes may be counted by the
 * streaming metrics until the coordinator sets its listener again: JMX figures only; events and
 * offsets never pass through a listener.
 */
final class KeylessEventListener implements DataChangeEventListener<PostgresPartition> {

    private static final Logger log = LoggerFactory.getLogger(KeylessEventListener.class);

    private final DataChangeEventListener<PostgresPartition> metrics;

    KeylessEventListener(DataChangeEventListener<PostgresPartition> metrics) {
        this.metrics = metrics;
    }

    /**
     * Puts a listener in front of the coordinator's streaming metrics once the coordinator has
     * given them to its dispatcher (it does when streaming begins, after any snapshot, and again
     * after a blocking snapshot); cheap enough to call for every batch. Returns whether the
     * dispatcher's listener is now one of these.
     */
    @SuppressWarnings("unchecked")
    static boolean ensureInstalled(ChangeEventSourceCoordinator<PostgresPartition, ?> coordinator) {
        if (coordinator == null || FIELDS == null) {
            return false;
        }
        try {
            Object dispatcher = FIELDS.dispatcher.get(coordinator);
            Object metrics = FIELDS.metrics.get(coordinator);
            if (!(dispatcher instanceof EventDispatcher<?, ?> events) || metrics == null) {
                return false;
            }
            Object current = FIELDS.listener.get(events);
            if (current instanceof KeylessEventListener) {
                return true;
            }
            if (current != metrics) {
                return false; // still the snapshot's metrics, or Debezium's NO_OP before either
            }
            ((EventDispatcher<PostgresPartition, ?>) events)
                    .setEventListener(new KeylessEventListener((DataChangeEventListener<PostgresPartition>) metrics));
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Debezium's streaming metrics keep summarising every change's key: {}", e.toString());
            return false;
        }
    }

    /** The coordinator's dispatcher and streaming metrics, and the dispatcher's listener; null if absent. */
    private static final Fields FIELDS = Fields.find();

    private record Fields(Field dispatcher, Field metrics, Field listener) {

        static Fields find() {
            try {
                return new Fields(accessible(ChangeEventSourceCoordinator.class.getDeclaredField("eventDispatcher")),
                        accessible(ChangeEventSourceCoordinator.class.getDeclaredField("streamingMetrics")),
                        accessible(EventDispatcher.class.getDeclaredField("eventListener")));
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.info("Debezium's streaming metrics summarise every change's key (no such field here: {})", e.toString());
                return null;
            }
        }

        private static Field accessible(Field field) {
            field.setAccessible(true);
            return field;
        }
    }

    @Override
    public void onEvent(PostgresPartition partition, DataCollectionId source, OffsetContext offset, Object key,
                        Struct value, Operation operation) {
        metrics.onEvent(partition, source, offset, null, value, operation);
    }

    @Override
    public void onFilteredEvent(PostgresPartition partition, String event) {
        metrics.onFilteredEvent(partition, event);
    }

    @Override
    public void onFilteredEvent(PostgresPartition partition, String event, Operation operation) {
        metrics.onFilteredEvent(partition, event, operation);
    }

    @Override
    public void onErroneousEvent(PostgresPartition partition, String event) {
        metrics.onErroneousEvent(partition, event);
    }

    @Override
    public void onErroneousEvent(PostgresPartition partition, String event, Operation operation) {
        metrics.onErroneousEvent(partition, event, operation);
    }

    @Override
    public void onConnectorEvent(PostgresPartition partition, ConnectorEvent event) {
        metrics.onConnectorEvent(partition, event);
    }

    @Override
    public void onUnchangedEventSkipped(PostgresPartition partition) {
        metrics.onUnchangedEventSkipped(partition);
    }
}
