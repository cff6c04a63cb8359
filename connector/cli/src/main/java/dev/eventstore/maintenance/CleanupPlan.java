package dev.eventstore.maintenance;

import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code eventstore cleanup} removes, item by item. A dry run prints the plan; the real run
 * executes exactly its items and reports what it removed in the same form, so the two listings
 * can be compared line for line ({@link #removals()}).
 *
 * @param subscriptionsCutoff rows not updated since this time (UTC) are idle; likewise below
 * @param hardDeleteCutoff {@code null} when no hard delete was asked for
 * @param softDeletedStreams streams soft-deleted, all told
 * @param softDeletedDue of those, soft-deleted before the hard-delete cutoff (or the default age
 *     when no hard delete was asked for, for the report only)
 */
public record CleanupPlan(LocalDateTime now, LocalDateTime subscriptionsCutoff, LocalDateTime offsetsCutoff,
                          LocalDateTime hardDeleteCutoff, List<SubscriptionGroup> subscriptions,
                          List<MirrorPosition> mirrorPositions, List<BridgeOffsets> offsets, Heartbeat heartbeat,
                          List<DeletedStream> streams, long softDeletedStreams, long softDeletedDue, List<Kept> kept) {

    /** A group's subscription rows. */
    public record SubscriptionGroup(String subscriptionId, long rows, LocalDateTime lastUpdatedAt, String kafka) {
    }

    /** One offset-mirror position (group, topic, partition). */
    public record MirrorPosition(String subscriptionId, String topic, int partition) {
    }

    /** A bridge's stored offsets (their keys) and its checkpoint. */
    public record BridgeOffsets(String bridgeName, List<String> keys, LocalDateTime lastFlushAt, String slotName) {
    }

    /** The heartbeat table: one row upserted in place. */
    public record Heartbeat(long rows, LocalDateTime lastBeatAt) {
    }

    /** A soft-deleted stream whose events, subscription rows and row a hard delete removes. */
    public record DeletedStream(String streamId, long events, long subscriptionRows, LocalDateTime deletedAt) {
    }

    /** Something old that cleanup keeps, and why. */
    public record Kept(String what, String reason) {
    }

    public boolean removesAnything() {
        return !subscriptions.isEmpty() || !mirrorPositions.isEmpty() || !offsets.isEmpty() || !streams.isEmpty();
    }

    public long subscriptionRows() {
        return subscriptions.stream().mapToLong(SubscriptionGroup::rows).sum();
    }

    public long offsetRows() {
        return offsets.stream().mapToLong(o -> o.keys().size()).sum();
    }

    public long events() {
        return streams.stream().mapToLong(DeletedStream::events).sum();
    }

    /** One line per item removed (or to be removed), the same in a dry run and a real run. */
    public List<String> removals() {
        List<String> lines = new ArrayList<>();
        subscriptions.forEach(s -> lines.add("subscription " + s.subscriptionId() + ": " + count(s.rows(), "row")
                + " (last position recorded " + time(s.lastUpdatedAt()) + ", " + s.kafka() + ")"));
        mirrorPositions.forEach(m -> lines.add("mirror position " + m.subscriptionId() + " " + m.topic() + "/" + m.partition()));
        offsets.forEach(o -> lines.add("offsets of bridge " + o.bridgeName() + ": " + count(o.keys().size(), "row")
                + " and its checkpoint (slot " + o.slotName() + " does not exist, last flush " + time(o.lastFlushAt()) + ")"));
        streams.forEach(s -> lines.add("stream " + s.streamId() + ": " + count(s.events(), "event") + ", "
                + count(s.subscriptionRows(), "subscription row") + " and the stream row (soft-deleted "
                + time(s.deletedAt()) + ")"));
        return lines;
    }

    /** One line per thing kept although old. */
    public List<String> keptLines() {
        return kept.stream().map(k -> k.what() + ": " + k.reason()).toList();
    }

    /** "3 subscription rows of 1 group, 2 mirror positions, ...": the totals. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        parts.add(count(subscriptionRows(), "subscription row") + " of " + count(subscriptions.size(), "group"));
        parts.add(count(mirrorPositions.size(), "mirror position"));
        parts.add(count(offsetRows(), "offset row") + " of " + count(offsets.size(), "bridge"));
        if (hardDeleteCutoff != null) {
            parts.add(count(events(), "event") + " of " + count(streams.size(), "hard-deleted stream"));
        }
        return String.join(", ", parts);
    }

    /** What the audit row records of this run. */
    public Map<String, Object> auditDetails() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("subscription_rows", subscriptionRows());
        details.put("subscriptions", subscriptions.stream().map(SubscriptionGroup::subscriptionId).toList());
        details.put("mirror_positions", mirrorPositions.size());
        details.put("offset_rows", offsetRows());
        details.put("bridges", offsets.stream().map(BridgeOffsets::bridgeName).toList());
        if (hardDeleteCutoff != null) {
            details.put("hard_delete_before", hardDeleteCutoff.toString());
            details.put("hard_deleted_events", events());
            details.put("hard_deleted_subscription_rows", streams.stream().mapToLong(DeletedStream::subscriptionRows).sum());
            details.put("hard_deleted_streams", streams.stream().map(DeletedStream::streamId).toList());
        }
        return details;
    }

    static String count(long n, String singular) {
        return n + " " + singular + (n == 1 ? "" : "s");
    }

    static String time(LocalDateTime utc) {
        return utc == null ? "never" : utc.truncatedTo(ChronoUnit.SECONDS).toInstant(java.time.ZoneOffset.UTC).toString();
    }
}
