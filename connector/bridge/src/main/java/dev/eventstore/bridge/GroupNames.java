package dev.eventstore.bridge;

/**
 * Consumer group names that the event store cannot keep as subscription ids. Kafka allows any
 * group name; a subscription id (the {@code subscriptions} table, {@code check_subscription_id})
 * must be 1 to 255 characters, not only whitespace, without control characters. The offset
 * mirror skips such a group (one warning) and {@code status} shows it flagged, rather than
 * failing on it and never reaching the groups after it.
 */
public final class GroupNames {

    /** As {@code dev.eventstore.Limits.MAX_SUBSCRIPTION_ID_LENGTH} and {@code check_subscription_id}. */
    static final int MAX_LENGTH = 255;
    private static final int SHOWN = 60;

    private GroupNames() {
    }

    /** Why {@code group} cannot be a subscription id, or {@code null} if it can. */
    public static String problem(String group) {
        if (group == null || group.isEmpty() || group.isBlank()) {
            return "empty or only whitespace";
        }
        if (group.codePointCount(0, group.length()) > MAX_LENGTH) {
            return group.codePointCount(0, group.length()) + " characters, more than the " + MAX_LENGTH
                    + " a subscription id can have";
        }
        for (int i = 0; i < group.length(); i++) {
            char c = group.charAt(i);
            if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) {
                return "it contains control characters, which a subscription id cannot";
            }
        }
        return null;
    }

    /** The name fit for a log line or a table: control characters escaped, at most 60 characters shown. */
    public static String printable(String group) {
        if (group == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        int shown = 0;
        for (int i = 0; i < group.length(); i++) {
            if (shown == SHOWN) {
                out.append("...\" (").append(group.length()).append(" characters)");
                return out.toString();
            }
            char c = group.charAt(i);
            if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) {
                out.append(String.format("\\x%02x", (int) c));
            } else if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
            shown++;
        }
        return out.append('"').toString();
    }
}
