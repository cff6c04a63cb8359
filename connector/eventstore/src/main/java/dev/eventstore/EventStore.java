package dev.eventstore;

import com.zaxxer.hikari.HikariDataSource;
import dev.eventstore.schema.MigrationReport;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import dev.eventstore.schema.SchemaName;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The event store: append events to streams with optimistic concurrency, read them back, delete
 * streams, keep their metadata, and keep subscription positions. A facade over an appender, a reader, a stream store and
 * a {@link SubscriptionStore}; thread-safe, one per application.
 *
 * <pre>{@code
 * try (EventStore store = EventStore.open(EventStoreConfig.fromEnvironment())) {
 *     store.migrate();
 *     AppendResult result = store.append("game-42", ExpectedVersion.NO_STREAM,
 *             List.of(EventData.of("GameStarted", "{\"mode\":\"race\"}")));
 *     List<RecordedEvent> events = store.readStreamForward("game-42", 1, 100);
 * }
 * }</pre>
 *
 * <p>Every method checks its arguments before touching the database: bad input throws an
 * {@link InvalidRequestException} (an {@link InvalidEventException} for one event of a batch) with
 * a one-line message, and nothing is written. Database failures become the exceptions named on
 * each method, all subclasses of {@link EventStoreException}.
 *
 * <p>Soft-deleted streams: appends and stream reads throw {@link StreamDeletedException};
 * {@link #streamInfo} still shows them (with {@code deletedAt}) and {@link #readAllForward} still
 * returns their events, which stay in the table (events are immutable, and were published).
 */
public final class EventStore implements AutoCloseable {

    /** Pass as {@code fromVersion} to {@link #readStreamBackward} to start at the stream's last event. */
    public static final long END = Long.MAX_VALUE;

    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    private final SchemaName schema;
    private final EventValidator validator;
    private final StreamAppender appender;
    private final StreamReader reader;
    private final StreamStore streams;
    private final SubscriptionStore subscriptions;
    private final ProgressWaiter progress;

    private EventStore(Builder builder, HikariDataSource ownedPool, DataSource listenerSource) {
        this.dataSource = builder.dataSource;
        this.ownedPool = ownedPool;
        this.schema = builder.schema;
        this.validator = new EventValidator(builder.maxEventSizeBytes);
        this.appender = new StreamAppender(dataSource, schema, validator);
        this.reader = new StreamReader(dataSource, schema, builder.fetchSize);
        this.streams = new StreamStore(dataSource, schema);
        this.subscriptions = new SubscriptionStore(dataSource, schema);
        this.progress = new ProgressWaiter(dataSource, listenerSource, schema);
    }

    /**
     * An event store with a connection pool of its own, built from {@code config};
     * {@link #close()} closes the pool. Does not migrate: call {@link #migrate()} or run
     * {@code eventstore migrate}.
     */
    public static EventStore open(EventStoreConfig config) {
        HikariDataSource pool = config.createDataSource();
        Builder builder = builder(pool).schema(config.schema()).maxEventSizeBytes(config.maxEventSizeBytes())
                .fetchSize(config.fetchSize());
        // The waits' listener holds its connection outside the pool: waits never take one of its
        // connections from appends and reads, whatever its size.
        DataSource listening = config.connectionSettings().dataSource();
        if (listening instanceof PGSimpleDataSource simple) {
            simple.setApplicationName(config.applicationName());
        }
        return new EventStore(builder, pool, listening);
    }

    /**
     * A builder over a data source the caller owns (and closes). Its sessions should run with
     * {@code TimeZone=UTC}; the store's reads and writes of timestamps do not depend on it.
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    // ---------------------------------------------------------------- appends

    /**
     * Appends {@code events} to the end of {@code streamId}, atomically: all are written or none.
     * One round trip for the whole batch, whatever its size. The stream is created by its first
     * append.
     *
     * <p><b>Retries.</b> An append whose connection drops before the answer may have been written.
     * Give each event a client-chosen id ({@link EventData#withEventUuid}, every event of the batch
     * or none) and retry with the same events: when the stream already holds the batch, the append
     * returns the first append's result and writes nothing, whatever the expected version (one
     * more round trip per append). The same ids with other content are refused.
     *
     * @param expectedVersion the concurrency check; see {@link ExpectedVersion}
     * @return the stream versions and event ids written
     * @throws WrongExpectedVersionException if the stream is not at {@code expectedVersion}
     * @throws DuplicateEventUuidException if an event's id is in the stream already and the batch is
     *     not a retry of the append that wrote it (other content, or only part of the batch)
     * @throws StreamDeletedException if the stream is soft-deleted
     * @throws InvalidEventException if an event is invalid (type, data or metadata not valid JSON
     *     or refused by jsonb, over the size limit); names its index in the batch
     * @throws InvalidRequestException for an invalid stream id, a missing expected version or an empty batch
     */
    public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<EventData> events) {
        return appender.append(streamId, expectedVersion, events);
    }

    /** {@link #append(String, ExpectedVersion, List)} for a few events. */
    public AppendResult append(String streamId, ExpectedVersion expectedVersion, EventData... events) {
        return append(streamId, expectedVersion, Arrays.asList(events));
    }

    /**
     * {@link #append(String, ExpectedVersion, List)} on the caller's connection, inside the
     * caller's transaction when one is open (autocommit off): the events commit or roll back with
     * the caller's other writes. The stream's row stays locked until that transaction ends.
     */
    public AppendResult append(Connection connection, String streamId, ExpectedVersion expectedVersion,
                               List<EventData> events) {
        return appender.appendOn(Objects.requireNonNull(connection, "connection"), streamId, expectedVersion, events);
    }

    // ---------------------------------------------------------------- reads

    /**
     * At most {@code maxCount} events of {@code streamId} from {@code fromVersion} (inclusive;
     * versions start at 1, 0 reads from the start) in stream order. Empty when the stream has no
     * event at or after {@code fromVersion}.
     *
     * @throws StreamNotFoundException if the stream does not exist
     * @throws StreamDeletedException if it is soft-deleted
     */
    public List<RecordedEvent> readStreamForward(String streamId, long fromVersion, int maxCount) {
        return reader.readStreamForward(streamId, fromVersion, maxCount);
    }

    /**
     * At most {@code maxCount} events of {@code streamId} from {@code fromVersion} (inclusive)
     * going back, newest first; {@link #END} starts at the last event.
     *
     * @throws StreamNotFoundException if the stream does not exist
     * @throws StreamDeletedException if it is soft-deleted
     */
    public List<RecordedEvent> readStreamBackward(String streamId, long fromVersion, int maxCount) {
        return reader.readStreamBackward(streamId, fromVersion, maxCount);
    }

    /**
     * Every event of {@code streamId} from {@code fromVersion} on, in stream order, as a lazy
     * stream over a database cursor ({@code eventstore.read.fetch-size} rows per round trip), so a
     * stream of any length is never held in memory. It reads one consistent snapshot and holds a
     * connection until closed: <b>use it in try-with-resources</b>.
     *
     * @throws StreamNotFoundException if the stream does not exist (when called)
     * @throws StreamDeletedException if it is soft-deleted (when called)
     */
    public Stream<RecordedEvent> streamEvents(String streamId, long fromVersion) {
        return reader.stream(streamId, fromVersion);
    }

    /** {@link #streamEvents(String, long)} from the first event. */
    public Stream<RecordedEvent> streamEvents(String streamId) {
        return reader.stream(streamId, 0);
    }

    /**
     * Calls {@code consumer} for every event of {@code streamId} from {@code fromVersion} on, in
     * stream order, reading through a cursor as {@link #streamEvents(String, long)} does; returns
     * how many events it saw. The connection is released when this returns or throws.
     */
    public long forEachEvent(String streamId, long fromVersion, Consumer<? super RecordedEvent> consumer) {
        return reader.forEach(streamId, fromVersion, consumer);
    }

    /**
     * At most {@code maxCount} events of all streams (soft-deleted ones included) with
     * {@code event_id >= fromEventId}, by event id. <b>For export and administration only.</b>
     * Event ids come from a sequence at insert time, not at commit: a transaction that took a
     * smaller id can commit after a larger one has been read, so a reader that resumes from the
     * last id it saw can skip events. It is no subscription mechanism: subscribe through Kafka
     * (commit order from the WAL), or read streams by stream version.
     */
    public List<RecordedEvent> readAllForward(long fromEventId, int maxCount) {
        return reader.readAllForward(fromEventId, maxCount);
    }

    // ---------------------------------------------------------------- streams

    /**
     * The stream's row (soft-deleted ones included), its metadata among it, or empty if nothing was
     * ever appended to it.
     */
    public Optional<StreamInfo> streamInfo(String streamId) {
        return streams.streamInfo(streamId);
    }

    /**
     * Soft-deletes {@code streamId}: marks it deleted (its {@code deleted_at}); its events stay.
     * Afterwards appends and stream reads throw {@link StreamDeletedException};
     * {@link #streamInfo} shows it deleted. There is no undelete.
     *
     * @param expectedVersion the concurrency check ({@link ExpectedVersion#NO_STREAM} never matches)
     * @return when it was deleted (UTC)
     * @throws StreamNotFoundException if the stream does not exist
     * @throws StreamDeletedException if it is already deleted
     * @throws WrongExpectedVersionException if it is not at {@code expectedVersion}
     */
    public Instant deleteStream(String streamId, ExpectedVersion expectedVersion) {
        return streams.deleteStream(streamId, expectedVersion);
    }

    /**
     * Replaces the metadata of {@code streamId} with {@code metadata}, a JSON object ({@code {}}
     * clears it). Stream metadata describes the stream (owner, region, tags), not an event: it is
     * no event, does not change the stream's version or {@code updatedAt}, and is not published to
     * Kafka. {@link #streamInfo} reads it.
     *
     * @return the metadata the stream now holds, as PostgreSQL prints the jsonb
     * @throws InvalidRequestException if {@code metadata} is not a JSON object, or the result is over
     *     {@link Limits#MAX_STREAM_METADATA_SIZE_BYTES}
     * @throws StreamNotFoundException if the stream does not exist (streams are created by their first append)
     * @throws StreamDeletedException if it is soft-deleted
     */
    public String setStreamMetadata(String streamId, String metadata) {
        return streams.writeMetadata(streamId, metadata, false);
    }

    /**
     * Merges {@code metadata}, a JSON object, into the metadata of {@code streamId}: each of its
     * top-level keys replaces the stream's key of that name (jsonb {@code ||}, shallow; a nested
     * object is replaced whole), the stream's other keys stay. Concurrent merges of different keys
     * all land (the stream's row is locked for each). Errors as {@link #setStreamMetadata}.
     *
     * @return the metadata the stream now holds
     */
    public String mergeStreamMetadata(String streamId, String metadata) {
        return streams.writeMetadata(streamId, metadata, true);
    }

    /**
     * At most {@code maxCount} (1 to 10,000) streams, not deleted, whose metadata contains
     * {@code containment} (jsonb {@code @>}: {@code {"region":"eu"}} finds every stream whose
     * metadata has {@code region} {@code "eu"}, whatever else it holds), ordered by stream id and
     * answered by the GIN index on the metadata. For the next page pass the last stream id seen as
     * {@code afterStreamId} ({@code null} starts at the first).
     *
     * @throws InvalidRequestException if {@code containment} is not a JSON object or {@code maxCount} is out of range
     */
    public List<StreamInfo> findStreamsByMetadata(String containment, String afterStreamId, int maxCount) {
        return streams.findByMetadata(containment, afterStreamId, maxCount);
    }

    // ---------------------------------------------------------------- reading your own writes

    /**
     * Returns once the last event of {@code appended} is in Kafka: the bridge (or, with Kafka
     * Connect, the offset mirror service) has recorded Kafka's acknowledgement of its record, and
     * with it every earlier event of the stream. Costs the database one query when it starts, and
     * while it waits a share of the store's listener's queries (one per batch of notifications,
     * shared by every waiter on the same target; see the library README).
     *
     * @throws AwaitTimeoutException after {@code timeout}, naming where the stream stands in Kafka
     * @throws InterruptedException if the calling thread is interrupted while it waits
     */
    public void awaitPublished(AppendResult appended, Duration timeout) throws AwaitTimeoutException, InterruptedException {
        requireAppended(appended);
        progress.await(null, appended.streamId(), appended.lastVersion(), checkTimeout(timeout), lastEventId(appended));
    }

    /**
     * {@link #awaitPublished(AppendResult, Duration)} for the event with id {@code eventId}.
     *
     * @throws InvalidRequestException if no event has that id
     */
    public void awaitPublished(long eventId, Duration timeout) throws AwaitTimeoutException, InterruptedException {
        checkEventId(eventId);
        progress.awaitEvent(null, eventId, checkTimeout(timeout));
    }

    /**
     * Returns once the consumer group {@code group} has consumed the last event of
     * {@code appended}: its position in the stream ({@code subscriptions}, kept by the consumer
     * library in the transaction that applies the event, or by the offset mirror from the group's
     * committed offsets) has reached the event. With the consumer library, what the group's handler
     * wrote for the event is visible when this returns.
     *
     * @throws AwaitTimeoutException after {@code timeout}, naming the group, where it stands in the
     *     stream (topic, partition, offset) and where the event is
     * @throws InvalidRequestException if {@code group} cannot be a subscription id
     * @throws InterruptedException if the calling thread is interrupted while it waits
     */
    public void awaitConsumed(String group, AppendResult appended, Duration timeout)
            throws AwaitTimeoutException, InterruptedException {
        EventValidator.checkSubscriptionId(group);
        requireAppended(appended);
        progress.await(group, appended.streamId(), appended.lastVersion(), checkTimeout(timeout), lastEventId(appended));
    }

    /**
     * {@link #awaitConsumed(String, AppendResult, Duration)} for the event with id {@code eventId}.
     *
     * @throws InvalidRequestException if no event has that id
     */
    public void awaitConsumed(String group, long eventId, Duration timeout) throws AwaitTimeoutException, InterruptedException {
        EventValidator.checkSubscriptionId(group);
        checkEventId(eventId);
        progress.awaitEvent(group, eventId, checkTimeout(timeout));
    }

    /** Queries made by waits since the store was built (the bench reports them per wait). */
    public long awaitQueries() {
        return progress.queries();
    }

    private static void checkEventId(long eventId) {
        if (eventId < 1) {
            throw new InvalidRequestException("invalid event id " + eventId + ": event ids are 1 or more");
        }
    }

    private static void requireAppended(AppendResult appended) {
        if (appended == null || appended.eventIds().isEmpty()) {
            throw new InvalidRequestException("nothing to wait for: the append result is missing or wrote no event");
        }
    }

    private static long lastEventId(AppendResult appended) {
        return appended.eventIds().get(appended.eventIds().size() - 1);
    }

    private static Duration checkTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new InvalidRequestException("invalid timeout " + timeout + ": give zero or more");
        }
        return timeout;
    }

    // ---------------------------------------------------------------- subscriptions and schema

    /** Subscription positions (one per consumer group and stream). */
    public SubscriptionStore subscriptions() {
        return subscriptions;
    }

    /** The schema holding the store. */
    public SchemaName schema() {
        return schema;
    }

    /** The store's data source. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The largest event accepted, in bytes. */
    public int maxEventSizeBytes() {
        return validator.maxEventSizeBytes();
    }

    /** The schema manager for this store's schema and the built-in migrations. */
    public SchemaManager schemaManager() {
        return new SchemaManager(dataSource, schema, MigrationSource.builtIn());
    }

    /** Applies pending built-in migrations to the store's schema. */
    public MigrationReport migrate() {
        return schemaManager().migrate();
    }

    /**
     * Ends waits in progress (they fail) and closes the connection pool if the store opened it
     * ({@link #open}).
     */
    @Override
    public void close() {
        progress.close();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    /** Builds an {@link EventStore} over a caller's data source. */
    public static final class Builder {

        private final DataSource dataSource;
        private SchemaName schema = SchemaName.defaultSchema();
        private int maxEventSizeBytes = Limits.DEFAULT_MAX_EVENT_SIZE_BYTES;
        private int fetchSize = 1000;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        public Builder schema(SchemaName schema) {
            this.schema = Objects.requireNonNull(schema, "schema");
            return this;
        }

        /** Largest event accepted in bytes (type, data and metadata as UTF-8); default 1 MiB. */
        public Builder maxEventSizeBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("max event size must be 1 byte or more, was " + bytes);
            }
            this.maxEventSizeBytes = bytes;
            return this;
        }

        /** Rows per round trip of streaming reads; default 1000. */
        public Builder fetchSize(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("fetch size must be 1 or more, was " + rows);
            }
            this.fetchSize = rows;
            return this;
        }

        public EventStore build() {
            return new EventStore(this, null, dataSource);
        }
    }
}
