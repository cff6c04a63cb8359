package dev.eventstore.bench;

import dev.eventstore.schema.SchemaName;

/**
 * Every SQL statement the benchmark runs itself, one constant per operation, each headed by its
 * parameters. Schema names are the only substitution ({@code ${store}}, {@code ${raw}},
 * {@code ${schema}}), always validated {@link SchemaName}s. The event store's own statements are
 * the library's; these are the ceilings', the peer's and the set-up's.
 */
final class BenchSql {

    private BenchSql() {
    }

    static String in(String sql, String placeholder, SchemaName schema) {
        return sql.replace("${" + placeholder + "}", schema.value());
    }

    // ------------------------------------------------------------------ server facts

    /** Parameters: none. Returns the server's version and the settings that bear on the figures. */
    static final String SERVER_SETTINGS = """
            SELECT current_setting('server_version') AS server_version, current_setting('fsync') AS fsync,
                   current_setting('synchronous_commit') AS synchronous_commit,
                   current_setting('full_page_writes') AS full_page_writes,
                   current_setting('shared_buffers') AS shared_buffers, current_setting('max_wal_size') AS max_wal_size,
                   current_setting('wal_level') AS wal_level
            """;

    // ------------------------------------------------------------------ the raw ceiling's copy schema

    /**
     * Creates ${raw}: copies of the store's event_streams and events tables, column for column
     * with every default, constraint and index (LIKE ... INCLUDING ALL), its own id sequence and
     * the foreign key LIKE does not copy. Not copied: the functions, the immutability trigger and
     * the publication, which are what the ceiling leaves out. Parameters: none.
     */
    static final String RAW_CREATE = """
            CREATE SCHEMA ${raw};
            CREATE TABLE ${raw}.event_streams (LIKE ${store}.event_streams INCLUDING ALL);
            CREATE TABLE ${raw}.events (LIKE ${store}.events INCLUDING ALL);
            CREATE SEQUENCE ${raw}.events_event_id_seq OWNED BY ${raw}.events.event_id;
            ALTER TABLE ${raw}.events ALTER COLUMN event_id SET DEFAULT nextval('${raw}.events_event_id_seq');
            ALTER TABLE ${raw}.events ADD CONSTRAINT fk_events_stream FOREIGN KEY (stream_id)
              REFERENCES ${raw}.event_streams (stream_id);
            """;

    /**
     * The index definitions of a schema's events table without index and table names, sorted, to
     * show the copy indexes exactly what the store does. Parameters: 1 = schema name.
     */
    static final String EVENT_INDEXES = """
            SELECT substring(indexdef FROM ' USING .*$') AS definition
              FROM pg_catalog.pg_indexes
             WHERE schemaname = ? AND tablename = 'events'
             ORDER BY 1
            """;

    /** Removes a schema the benchmark created and everything in it. Parameters: none. */
    static final String DROP_SCHEMA = "DROP SCHEMA IF EXISTS ${schema} CASCADE";

    /** Empties the raw copy. Parameters: none. */
    static final String RAW_TRUNCATE = "TRUNCATE TABLE ${raw}.events, ${raw}.event_streams";

    /** Creates the raw copy's stream rows that the events' foreign key needs. Parameters: 1 = stream ids (text[]). */
    static final String RAW_CREATE_STREAMS = """
            INSERT INTO ${raw}.event_streams (stream_id) SELECT unnest(?::text[]) ON CONFLICT (stream_id) DO NOTHING
            """;

    /**
     * One event, as an application that writes the table directly would: the caller knows the
     * stream version. Parameters: 1 = stream id, 2 = stream version, 3 = event type, 4 = event
     * version, 5 = data (JSON text), 6 = metadata (JSON text or NULL).
     */
    static final String RAW_INSERT_EVENT = """
            INSERT INTO ${raw}.events (stream_id, stream_version, event_type, event_version, data, metadata, created_at)
            VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, (now() AT TIME ZONE 'UTC'))
            """;

    /**
     * One event with what an append must also write, in one statement and without the library's
     * function: the stream's row advanced (optimistic check on its version, {@code updated_at}
     * set) and the event inserted at the new version. Parameters: 1 = stream id, 2 = the version
     * the caller expects, 3 = event type, 4 = event version, 5 = data (JSON text), 6 = metadata
     * (JSON text or NULL). Inserts no row when the version did not match.
     */
    static final String RAW_ADVANCE_AND_INSERT = """
            WITH advanced AS (
              UPDATE ${raw}.event_streams
                 SET stream_version = stream_version + 1, updated_at = (now() AT TIME ZONE 'UTC')
               WHERE stream_id = ? AND stream_version = ?
              RETURNING stream_id, stream_version)
            INSERT INTO ${raw}.events (stream_id, stream_version, event_type, event_version, data, metadata, created_at)
            SELECT advanced.stream_id, advanced.stream_version, ?, ?, ?::jsonb, ?::jsonb, (now() AT TIME ZONE 'UTC')
              FROM advanced
            """;

    /**
     * A page of a stream straight from the copy's table, the columns the library reads.
     * Parameters: 1 = stream id, 2 = from version (inclusive), 3 = max count.
     */
    static final String RAW_READ_STREAM = """
            SELECT event_id, stream_id, stream_version, event_type, event_version,
                   data::text AS data, metadata::text AS metadata, created_at
              FROM ${raw}.events
             WHERE stream_id = ? AND stream_version >= ?
             ORDER BY stream_version
             LIMIT ?
            """;

    /** Copies a stream's row from the store into the raw copy. Parameters: 1 = stream id. */
    static final String RAW_COPY_STREAM_ROW = """
            INSERT INTO ${raw}.event_streams SELECT * FROM ${store}.event_streams WHERE stream_id = ?
            """;

    /** Copies a stream's events from the store into the raw copy, ids included. Parameters: 1 = stream id. */
    static final String RAW_COPY_STREAM_EVENTS = """
            INSERT INTO ${raw}.events SELECT * FROM ${store}.events WHERE stream_id = ?
            """;

    // ------------------------------------------------------------------ message-db (its public functions)

    /**
     * message-db's write: one message. Parameters: 1 = message id (UUID text), 2 = stream name,
     * 3 = type, 4 = data (JSON text), 5 = metadata (JSON text or NULL), 6 = expected version
     * (the stream's last position, -1 for none; NULL for no check).
     */
    static final String MESSAGE_DB_WRITE = "SELECT message_store.write_message(?, ?, ?, ?::jsonb, ?::jsonb, ?)";

    /**
     * message-db's read of a stream from a position. Parameters: 1 = stream name, 2 = position
     * (0-based, inclusive), 3 = batch size.
     */
    static final String MESSAGE_DB_READ = """
            SELECT id, stream_name, type, position, global_position, data, metadata, time
              FROM message_store.get_stream_messages(?, ?, ?)
            """;

    /**
     * Fills a message-db stream for the read workloads directly (write_message would take a
     * minute for 100,000 messages and produce the same rows). Parameters: 1 = stream name,
     * 2 = first position, 3 = types (text[]), 4 = data (text[], JSON), 5 = metadata (text[], JSON).
     */
    static final String MESSAGE_DB_FILL = """
            INSERT INTO message_store.messages (id, stream_name, position, type, data, metadata)
            SELECT gen_random_uuid(), ?, ? + u.ord - 1, u.type, u.data::jsonb, u.metadata::jsonb
              FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS u(type, data, metadata, ord)
            """;

    /** Empties message-db's table. Parameters: none. */
    static final String MESSAGE_DB_TRUNCATE = "TRUNCATE TABLE message_store.messages";

    /** Parameters: none. Returns message-db's schema version. */
    static final String MESSAGE_DB_VERSION = "SELECT message_store.message_store_version()";

    /** Parameters: 1 = database name. */
    static final String DATABASE_EXISTS = "SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?";

    // ------------------------------------------------------------------ replication slots

    /** Drops a slot of the benchmark's if no process holds it. Parameters: 1 = slot name. Returns a row if dropped. */
    static final String DROP_SLOT = """
            SELECT pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots
             WHERE slot_name = ? AND NOT active
            """;

    /** Parameters: 1 = slot name. Returns one row (active) if the slot exists. */
    static final String SLOT_ACTIVE = "SELECT active FROM pg_catalog.pg_replication_slots WHERE slot_name = ?";

    /** Slots a previous run left behind. Parameters: 1 = LIKE pattern of the benchmark's slot names. */
    static final String LEFTOVER_SLOTS = """
            SELECT slot_name FROM pg_catalog.pg_replication_slots WHERE slot_name LIKE ? AND NOT active
            """;

    // ------------------------------------------------------------------ the scale workload's fill

    /**
     * Stream rows of the fill, {@code fill-<n>} for n in [2, 3], each at version 1 (parameter).
     * Parameters: 1 = stream version, 2 = first n, 3 = last n.
     */
    static final String FILL_STREAMS = """
            INSERT INTO ${schema}.event_streams (stream_id, stream_version, created_at, updated_at)
            SELECT 'fill-' || g, ?, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
              FROM generate_series(?::bigint, ?::bigint) AS g
            """;

    /**
     * The fill's events, generated in SQL rather than appended (ten million appends would take
     * the better part of an hour): game-like data and metadata of the simulation's sizes, every
     * index maintained as appends would. Event g belongs to stream {@code fill-<g / per>} at
     * version {@code g % per + 1}. Parameters: 1 = events per stream, 2 = events per stream,
     * 3 = first g, 4 = last g.
     */
    static final String FILL_EVENTS = """
            INSERT INTO ${schema}.events (stream_id, stream_version, event_type, event_version, data, metadata, created_at)
            SELECT 'fill-' || (g / p.per), (g % p.per) + 1,
                   (ARRAY['GameStarted','RoundStarted','GuessProcessed','RoundCompleted','GameCompleted'])[1 + g % 5],
                   1,
                   jsonb_build_object('gameId', 'fill-' || (g / p.per), 'round', 1 + g % 10,
                                      'playerId', 'player-' || (1000 + g % 9000),
                                      'guess', (ARRAY['apple','bridge','castle','dragon','engine','forest','garden',
                                                      'harbor','island','jungle'])[1 + g % 10],
                                      'correct', g % 7 = 0, 'attempt', 1 + g % 4, 'points', g % 11),
                   jsonb_build_object('correlation_id', 'fill-' || (g / p.per), 'causation_id', md5(g::text),
                                      'actor', 'player-' || (1000 + g % 9000), 'game_mode', 'RACE'),
                   (now() AT TIME ZONE 'UTC')
              FROM (SELECT ?::bigint AS per) AS p, generate_series(?::bigint, ?::bigint) AS g
            """;

    /** After the fill, as autovacuum would do later: visibility map and planner statistics. Parameters: none. */
    static final String VACUUM_EVENTS = "VACUUM (ANALYZE) ${schema}.events, ${schema}.event_streams";
}
