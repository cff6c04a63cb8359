package dev.eventstore.maintenance;

import java.time.Duration;
import java.util.Objects;

/**
 * The retention settings of {@code eventstore cleanup}.
 *
 * @param subscriptionsIdle a subscription (consumer group) whose rows have not moved for longer,
 *     and that Kafka no longer knows, is removed with its offset-mirror positions
 * @param offsetsIdle a bridge's stored offsets not flushed for longer, whose recorded slot no
 *     longer exists, are removed with its checkpoint
 * @param hardDeleteAfter streams soft-deleted longer ago lose their events, subscription rows and
 *     stream row; {@code null} (the default) never hard-deletes
 */
public record CleanupSettings(Duration subscriptionsIdle, Duration offsetsIdle, Duration hardDeleteAfter) {

    public static final Duration DEFAULT_SUBSCRIPTIONS_IDLE = Duration.ofDays(30);
    public static final Duration DEFAULT_OFFSETS_IDLE = Duration.ofDays(30);

    public CleanupSettings {
        Objects.requireNonNull(subscriptionsIdle, "subscriptionsIdle");
        Objects.requireNonNull(offsetsIdle, "offsetsIdle");
        if (subscriptionsIdle.isNegative() || offsetsIdle.isNegative()
                || (hardDeleteAfter != null && hardDeleteAfter.isNegative())) {
            throw new IllegalArgumentException("retention ages must not be negative");
        }
    }

    public static CleanupSettings defaults() {
        return new CleanupSettings(DEFAULT_SUBSCRIPTIONS_IDLE, DEFAULT_OFFSETS_IDLE, null);
    }

    public boolean hardDelete() {
        return hardDeleteAfter != null;
    }
}
