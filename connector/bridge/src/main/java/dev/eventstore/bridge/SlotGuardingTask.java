package dev.eventstore.bridge;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SqlResource;
import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnectorTask;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.PostgresPartition;
import io.debezium.connector.base.QueueProviderService;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.DataChangeEvent;
import io.debezium.pipeline.ErrorHandler;
import io.debezium.service.spi.ServiceProvider;
import io.debezium.service.spi.ServiceRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresSchema;
import io.debezium.connector.postgresql.connection.PostgresConnection;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import io.debezium.jdbc.JdbcConnection;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's PostgreSQL task, checked before every start. Debezium restarts its task by itself
 * after a retriable error (a lost connection, a terminated walsender, a restarted server), without
 * the bridge's {@link Preflight}. Two things then went wrong without this check (RELIABILITY.md,
 * scenarios 5 and 6):
 * <ul>
 *   <li>a slot dropped meanwhile: Debezium's own check of the stored position against the slot
 *       stops it (it does not create the slot again and skip events), but with a line of several
 *       kilobytes of offset internals and the advice to "use a snapshot mode when needed";</li>
 *   <li>a login PostgreSQL refuses (the role lost LOGIN, its password changed): every connection
 *       error is retriable to Debezium, and its retries are unlimited, so the bridge retried every
 *       10 s for ever while reporting nothing but log lines.</li>
 * </ul>
 * So each start first checks, and refuses with one clear line (an error that is not retriable,
 * which stops the bridge) when:
 * <ul>
 *   <li>another process streams from the slot (a session this bridge did not open): it lost the
 *       race for the slot, and says so instead of retrying on a slot it cannot have;</li>
 *   <li>PostgreSQL refuses the bridge's login (SQLSTATE class 28): retrying cannot help. Any other
 *       connection failure stays retriable (a server restarting);</li>
 *   <li>the bridge has stored offsets and its slot no longer exists (dropped while it ran);</li>
 *   <li>the slot exists but has confirmed WAL beyond the stored position: the bridge confirms to
 *       its slot only positions it has stored, so this is not the slot its offsets were read from
 *       (dropped and created again), and the events between the two positions would be skipped;</li>
 *   <li>PostgreSQL has invalidated the slot ({@code wal_status = lost}).</li>
 * </ul>
 * A snapshot still in progress in the offsets is not checked: Debezium takes it again.
 *
 * <p>It also notes the PostgreSQL backend of each replication connection it streams on, under the
 * bridge's instance key ({@link #INSTANCE_KEY}, set by {@link EventBridge}): the bridge is ready only
 * while its slot is active for that backend ({@link #streamingPid}), not merely active.
 *
 * <p>And it keeps an idle bridge from spending CPU on Debezium's two polling loops: the engine's
 * polling thread waits parked while the queue is empty, woken by the first record
 * ({@link WakingQueue}), and the capture thread reads the replication stream less often after a
 * quiet spell ({@link PacedReplicationStream}, poll.idle.pause.ms). BENCHMARKS.md, "Idle",
 * gives the figures.
 */
public class SlotGuardingTask extends PostgresConnectorTask {

    /** The Debezium setting that names the bridge instance whose streaming backend is noted. */
    static final String INSTANCE_KEY = "eventstore.bridge.instance";
    /** The Debezium setting that carries the bridge's poll.idle.pause.ms (see {@link PacedReplicationStream}). */
    static final String IDLE_PAUSE_KEY = "eventstore.poll.idle.pause.ms";

    private static final Logger log = LoggerFactory.getLogger(SlotGuardingTask.class);
    /** The offsets' partition key of Debezium's PostgreSQL connector: its logical name. */
    private static final String PARTITION_KEY = "server";
    /** Per bridge instance: the backend pid of its current replication stream. */
    private static final Map<String, Integer> STREAMING = new ConcurrentHashMap<>();
    /** Per bridge instance: every backend pid it has streamed on (an old one may linger a moment). */
    private static final Map<String, Set<Integer>> OWN = new ConcurrentHashMap<>();
    /**
     * The longest the polling thread waits parked for a first record before it returns an empty
     * batch to the engine, or, when the capture thread has failed, runs Debezium's own poll, which
     * reports the failure: as soon as with Debezium's default poll.interval.ms.
     */
    static final long IDLE_POLL_MS = 500;
    /**
     * How long without a message before the capture reads the stream at the idle pace: short, so
     * that the heartbeat's transaction every heartbeat.interval.ms costs little, and no shorter than
     * a pause within a transaction's messages.
     */
    static final long IDLE_AFTER_MS = 200;

    private String instance;
    private long idlePause;
    private int maxBatchSize;
    private long lingerNanos;
    private volatile WakingQueue<DataChangeEvent> queue;

    @Override
    public ChangeEventSourceCoordinator<PostgresPartition, PostgresOffsetContext> start(Configuration config) {
        instance = config.getString(INSTANCE_KEY);
        idlePause = config.getLong(IDLE_PAUSE_KEY, 0L);
        maxBatchSize = config.getInteger(PostgresConnectorConfig.MAX_BATCH_SIZE);
        lingerNanos = TimeUnit.MILLISECONDS.toNanos(config.getLong(PostgresConnectorConfig.POLL_INTERVAL_MS));
        check(config);
        return super.start(config);
    }

    /**
     * Debezium's queue over a {@link WakingQueue}, registered in the place of its in-memory
     * queue (Debezium's {@code queue.provider.type}), for the poll below to wait on.
     */
    @Override
    protected void registerServiceProviders(ServiceRegistry registry) {
        super.registerServiceProviders(registry);
        WakingQueue<DataChangeEvent> waking = new WakingQueue<>(1024);
        queue = waking;
        registry.registerServiceProvider(new ServiceProvider<QueueProviderService>() {
            @Override
            public Class<QueueProviderService> getServiceClass() {
                return QueueProviderService.class;
            }

            @Override
            public QueueProviderService createService(Configuration configuration, ServiceRegistry serviceRegistry) {
                return new QueueProviderService(waking);
            }
        });
    }

    /**
     * Hands over a batch once {@code max.batch.size} records are queued or the oldest has waited
     * {@code poll.interval.ms} (counted from the record, where Debezium counts it from each poll),
     * parked meanwhile; while the
     * queue is empty, waits parked for the first record, at most {@link #IDLE_POLL_MS}. Nothing
     * arrived: an empty batch, unless the capture has failed, which Debezium's poll reports. A
     * full batch is handed over by Debezium's poll, which also wakes a capture thread waiting for
     * room in a full queue.
     *
     * <p>Debezium's own poll counts its wait from the start of each poll, not from the change, and
     * waits in whole milliseconds, spinning through the last, partial one of each wait, so that a
     * short interval there costs CPU. Here a change waits at most about one interval (counted from
     * its arrival, or for records left behind by a full batch from that hand-over), parked, at the
     * cost of one park and wake-up per batch: a 1 ms interval gives the batches of about a
     * millisecond of traffic, which the producer sends at once, where a batch per change would
     * cost Debezium's engine a hand-over between threads for every record. BENCHMARKS.md, "What
     * limits each figure", measures it beside Debezium on Kafka Connect.
     */
    @Override
    public List<SourceRecord> doPoll() throws InterruptedException {
        WakingQueue<DataChangeEvent> waking = queue;
        if (waking == null) {
            return super.doPoll();
        }
        boolean arrived = waking.awaitRecord(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
        if (getErrorHandler().map(ErrorHandler::getProducerThrowable).isPresent()) {
            return super.doPoll();
        }
        if (!arrived) {
            return List.of();
        }
        KeylessEventListener.ensureInstalled(coordinator); // once streaming has begun; see the class
        waking.linger(maxBatchSize, lingerNanos);
        if (waking.size() >= maxBatchSize) {
            return super.doPoll();
        }
        List<DataChangeEvent> events = waking.take(maxBatchSize);
        List<SourceRecord> records = new ArrayList<>(events.size());
        for (DataChangeEvent event : events) {
            records.add(event.getRecord());
        }
        return records;
    }

    /** The backend pid of the bridge instance's replication stream, or {@code null} when not streaming. */
    static Integer streamingPid(String instance) {
        return instance == null ? null : STREAMING.get(instance);
    }

    /** Forgets a bridge instance (it has stopped). */
    static void forget(String instance) {
        if (instance != null) {
            STREAMING.remove(instance);
            OWN.remove(instance);
        }
    }

    @Override
    protected ReplicationConnection buildReplicationConnection(PostgresConnection connection, PostgresSchema schema,
                                                               PostgresConnectorConfig config) throws SQLException {
        ReplicationConnection built = super.buildReplicationConnection(connection, schema, config);
        String key = instance;
        long pause = idlePause;
        // Debezium uses the replication connection through its interface only; this one notes the
        // backend each stream runs on (known once START_REPLICATION has succeeded) and paces the
        // stream's reads while idle (PacedReplicationStream).
        return (ReplicationConnection) Proxy.newProxyInstance(ReplicationConnection.class.getClassLoader(),
                new Class<?>[] {ReplicationConnection.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(built, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("startStreaming")) {
                        if (key != null) {
                            note(key, built);
                        }
                        return new PacedReplicationStream((ReplicationStream) result, pause, IDLE_AFTER_MS);
                    } else if (method.getName().equals("close") && key != null) {
                        STREAMING.remove(key);
                    }
                    return result;
                });
    }

    private static void note(String instance, ReplicationConnection connection) {
        if (!(connection instanceof JdbcConnection jdbc)) {
            return;
        }
        try {
            int pid = jdbc.connection().unwrap(PGConnection.class).getBackendPID();
            STREAMING.put(instance, pid);
            OWN.computeIfAbsent(instance, k -> ConcurrentHashMap.newKeySet()).add(pid);
        } catch (SQLException | RuntimeException e) {
            log.warn("Cannot read the backend pid of the replication connection: {}", PostgresErrors.describe(e));
        }
    }

    private void check(Configuration config) {
        String bridge = config.getString("name");
        String slot = config.getString("slot.name");
        String schema = config.getString(PostgresOffsetBackingStore.KEY_SCHEMA);
        ConnectionSettings settings = new ConnectionSettings(config.getString(PostgresOffsetBackingStore.KEY_URL),
                config.getString(PostgresOffsetBackingStore.KEY_USER), config.getString(PostgresOffsetBackingStore.KEY_PASSWORD));
        Map<String, Object> offset = context.offsetStorageReader()
                .offset(Map.of(PARTITION_KEY, config.getString("topic.prefix")));
        Long stored = storedPosition(offset);

        try (Connection connection = settings.dataSource().getConnection()) {
            refuseSlotInUse(connection, bridge, slot);
            if (stored == null) {
                return;
            }
            try (PreparedStatement query = connection.prepareStatement(SqlResource.load("slot_ahead_of_offset"))) {
                query.setString(1, lsnText(stored));
                query.setString(2, slot);
                try (ResultSet rs = query.executeQuery()) {
                    if (!rs.next()) {
                        throw new BridgeException("replication slot " + slot + " no longer exists: it was dropped while"
                                + " bridge " + bridge + " ran, and events committed since may be missing from Kafka. The"
                                + " bridge stops rather than create a new slot that would skip them. Start it again to be"
                                + " told how to recover (republish, then --reset-offsets; its offsets in " + schema
                                + ".cdc_offsets stay as they are until then).");
                    }
                    if ("lost".equals(rs.getString("wal_status"))) {
                        throw new BridgeException("replication slot " + slot + " has been invalidated by PostgreSQL"
                                + " (wal_status lost, see max_slot_wal_keep_size): WAL it needed is gone and events"
                                + " committed meanwhile were not captured. Drop the slot (SELECT pg_drop_replication_slot('"
                                + slot + "')) and start the bridge with --reset-offsets, which publishes every stored"
                                + " event again");
                    }
                    if (rs.getBoolean("ahead")) {
                        throw new BridgeException("replication slot " + slot + " has confirmed WAL position "
                                + rs.getString("confirmed_flush_lsn") + ", beyond " + lsnText(stored) + " where bridge "
                                + bridge + " stopped: it is not the slot the bridge's offsets in " + schema
                                + ".cdc_offsets were read from (dropped and created again?), and streaming from it"
                                + " would skip the events committed in between. Republish what may be missing"
                                + " (eventstore republish), then start the bridge with --reset-offsets.");
                    }
                }
            }
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state != null && state.startsWith("28")) {
                throw new BridgeException("PostgreSQL refuses the bridge's login as " + settings.user() + ": "
                        + PostgresErrors.describe(e) + ". The bridge stops instead of retrying: give the role LOGIN"
                        + " (ALTER ROLE ... LOGIN) or the right password, then start it again.", e);
            }
            throw new RetriableException("cannot check replication slot " + slot + " before streaming: "
                    + PostgresErrors.describe(e), e);
        }
    }

    /**
     * Refuses a slot another process streams from: an active slot whose backend this bridge did
     * not open (its own previous stream may still be ending: Debezium waits for that one).
     */
    private void refuseSlotInUse(Connection connection, String bridge, String slot) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(SqlResource.load("slot_holder"))) {
            query.setString(1, slot);
            try (ResultSet rs = query.executeQuery()) {
                if (!rs.next() || !rs.getBoolean("active")) {
                    return;
                }
                int pid = rs.getInt("active_pid");
                Set<Integer> own = instance == null ? Set.of() : OWN.getOrDefault(instance, Set.of());
                if (rs.wasNull() || own.contains(pid)) {
                    return;
                }
                String application = rs.getString("application_name");
                String client = rs.getString("client_addr");
                throw new BridgeException("replication slot " + slot + " is in use by another process (PostgreSQL backend"
                        + " pid " + pid + (application == null || application.isEmpty() ? "" : ", application_name '"
                        + PostgresErrors.mask(application) + "'") + (client == null ? "" : ", client " + client)
                        + "): bridge " + bridge + " lost the race for it and stops, its offsets as they were. One bridge per"
                        + " slot: stop the other process, or set slot.name.");
            }
        }
    }

    /**
     * The WAL position the bridge last confirmed to its slot, from its stored offsets: Debezium
     * confirms the last commit position stored ({@code lsn_commit}), else the last completely
     * processed one. {@code null} without offsets, or during a snapshot (taken again at start).
     */
    static Long storedPosition(Map<String, Object> offset) {
        if (offset == null || Boolean.TRUE.equals(offset.get("snapshot"))) {
            return null;
        }
        for (String key : new String[] {PostgresOffsetContext.LAST_COMMIT_LSN_KEY,
                PostgresOffsetContext.LAST_COMPLETELY_PROCESSED_LSN_KEY, "lsn"}) {
            if (offset.get(key) instanceof Number position && position.longValue() > 0) {
                return position.longValue();
            }
        }
        return null;
    }

    /** A WAL position as PostgreSQL writes it: {@code X/Y}, hexadecimal. */
    static String lsnText(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
