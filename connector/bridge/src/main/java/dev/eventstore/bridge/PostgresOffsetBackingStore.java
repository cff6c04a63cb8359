package dev.eventstore.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SchemaName;
import dev.eventstore.schema.SqlResource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * Debezium's offsets in the event store's own database (table {@code cdc_offsets}), beside the
 * replication slot they describe: a restarted bridge resumes where it stopped, and a container
 * that loses its files loses nothing. Debezium's engine creates it by class name
 * ({@code offset.storage}) and passes its whole configuration, from which the {@code KEY_*}
 * settings below are read.
 *
 * <p>Like Kafka's file store, it keeps the offsets in memory and writes them all on each flush,
 * in one transaction; the engine flushes only offsets of records Kafka has acknowledged.
 */
public class PostgresOffsetBackingStore extends MemoryOffsetBackingStore {

    public static final String KEY_URL = "offset.storage.postgres.url";
    public static final String KEY_USER = "offset.storage.postgres.user";
    public static final String KEY_PASSWORD = "offset.storage.postgres.password";
    public static final String KEY_SCHEMA = "offset.storage.postgres.schema";
    /** An id of the bridge instance, under which {@link #flushState} reports the last flush (optional). */
    public static final String KEY_INSTANCE = "offset.storage.postgres.instance";

    /**
     * The last flush of an instance's store: when offsets were last saved (epoch millis, 0: not
     * yet) and why the last flush failed (null: it succeeded, or none was tried yet).
     */
    record FlushState(long savedMillis, String failure) {
    }

    private static final Map<String, FlushState> FLUSHES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The last flush of the store of instance {@code instance}, or null when it has not flushed. */
    static FlushState flushState(String instance) {
        return FLUSHES.get(instance);
    }

    /** Forgets an instance's flush state when its bridge closes. */
    static void forget(String instance) {
        FLUSHES.remove(instance);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private DataSource dataSource;
    private SchemaName schema;
    // Used by the store's one flush thread (save()); start() and stop() run before and after it.
    private HeldConnection flushConnection;
    private String instance;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, Object> originals = config.originals();
        Object url = originals.get(KEY_URL);
        if (url == null) {
            throw new ConnectException(KEY_URL + " is required by " + getClass().getSimpleName());
        }
        dataSource = new ConnectionSettings(url.toString(), string(originals.get(KEY_USER)),
                string(originals.get(KEY_PASSWORD))).dataSource();
        schema = SchemaName.of(originals.getOrDefault(KEY_SCHEMA, SchemaName.DEFAULT).toString());
        flushConnection = new HeldConnection(dataSource, false);
        Object id = originals.get(KEY_INSTANCE);
        instance = id == null ? null : id.toString();
    }

    private static String string(Object value) {
        return value == null ? null : value.toString();
    }

    @Override
    public synchronized void start() {
        super.start();
        Map<ByteBuffer, ByteBuffer> loaded = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(SqlResource.load("load_cdc_offsets", schema))) {
            while (rs.next()) {
                loaded.put(bytes(rs.getString(1)), bytes(rs.getString(2)));
            }
        } catch (SQLException e) {
            throw new ConnectException("cannot load the bridge's offsets from " + schema + ".cdc_offsets: "
                    + PostgresErrors.describe(e), e);
        }
        data.putAll(loaded);
    }

    @Override
    public synchronized void stop() {
        super.stop(); // waits for the flush thread
        flushConnection.close();
    }

    @Override
    protected void save() {
        try {
            Connection connection = flushConnection.get();
            try (PreparedStatement upsert = connection.prepareStatement(SqlResource.load("save_cdc_offset", schema));
                 PreparedStatement delete = connection.prepareStatement(SqlResource.load("delete_cdc_offset", schema))) {
                for (Map.Entry<ByteBuffer, ByteBuffer> entry : data.entrySet()) {
                    if (entry.getKey() == null) {
                        continue;
                    }
                    if (entry.getValue() == null) {
                        delete.setString(1, text(entry.getKey()));
                        delete.addBatch();
                    } else {
                        upsert.setString(1, text(entry.getKey()));
                        upsert.setString(2, text(entry.getValue()));
                        upsert.addBatch();
                    }
                }
                upsert.executeBatch();
                delete.executeBatch();
                connection.commit();
                if (instance != null) {
                    FLUSHES.put(instance, new FlushState(System.currentTimeMillis(), null));
                }
            } catch (SQLException e) {
                flushConnection.discard(); // rolls back; the next flush opens a new connection
                throw e;
            }
        } catch (SQLException e) {
            // The engine reports the failed flush and tries again at the next one; offsets are
            // only ever behind, never ahead, of what Kafka acknowledged.
            if (instance != null) {
                FlushState last = FLUSHES.get(instance);
                FLUSHES.put(instance, new FlushState(last == null ? 0 : last.savedMillis(), PostgresErrors.describe(e)));
            }
            throw new ConnectException("cannot save the bridge's offsets to " + schema + ".cdc_offsets: "
                    + PostgresErrors.describe(e), e);
        }
    }

    /** The source partitions stored for {@code connectorName}: keys are [name, partition]. */
    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        Set<Map<String, Object>> partitions = new HashSet<>();
        for (ByteBuffer key : data.keySet()) {
            try {
                JsonNode node = JSON.readTree(text(key));
                if (node.isArray() && node.size() == 2 && connectorName.equals(node.get(0).asText())) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> partition = JSON.convertValue(node.get(1), Map.class);
                    partitions.add(partition);
                }
            } catch (java.io.IOException e) {
                throw new ConnectException("unreadable offset key in " + schema + ".cdc_offsets", e);
            }
        }
        return partitions;
    }

    private static ByteBuffer bytes(String text) {
        return text == null ? null : ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
