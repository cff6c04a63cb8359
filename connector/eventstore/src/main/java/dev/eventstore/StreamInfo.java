package dev.eventstore;

import java.time.Instant;

/**
 * A stream's row in {@code event_streams}.
 *
 * @param streamId its id
 * @param version its version: the number of events in it
 * @param createdAt when its first event was appended, UTC
 * @param updatedAt when it last changed (append or delete; a metadata write is neither), UTC
 * @param deletedAt when it was soft-deleted, UTC, or {@code null}
 * @param metadata the stream's metadata, a JSON object as PostgreSQL prints the jsonb, or {@code null} when never set
 */
public record StreamInfo(String streamId, long version, Instant createdAt, Instant updatedAt, Instant deletedAt,
                         String metadata) {

    public boolean deleted() {
        return deletedAt != null;
    }
}
