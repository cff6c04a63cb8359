package dev.eventstore;

/**
 * The store's fixed limits. The store's SQL functions ({@code migrations/R__1_function_*.sql}) enforce
 * the same numbers (a test compares them), so a caller that bypasses this library meets them too.
 */
public final class Limits {

    /** Longest stream id, in characters (Unicode code points, as PostgreSQL counts them). */
    public static final int MAX_STREAM_ID_LENGTH = 255;

    /** Longest event type name, in characters. */
    public static final int MAX_EVENT_TYPE_LENGTH = 255;

    /** Longest subscription id (a Kafka consumer group id), in characters. */
    public static final int MAX_SUBSCRIPTION_ID_LENGTH = 255;

    /**
     * Largest stream metadata, in bytes: UTF-8 of the JSON object a stream holds after a set or a
     * merge, as PostgreSQL prints the jsonb ({@code metadata::text}). Stream metadata describes a
     * stream (owner, region, tags); it is no document store. Fixed, because the SQL function
     * {@code set_stream_metadata} enforces it for every caller.
     */
    public static final int MAX_STREAM_METADATA_SIZE_BYTES = 64 * 1024;

    /**
     * Default largest event, in bytes: UTF-8 of its data, metadata and event type together. The
     * default keeps every stored event within Kafka's default record size (1 MiB); configurable
     * with {@code eventstore.event.max-size-bytes}.
     */
    public static final int DEFAULT_MAX_EVENT_SIZE_BYTES = 1024 * 1024;

    private Limits() {
    }
}
