package dev.eventstore.connect;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Topic names of event categories. Deterministic: the same stream id always gives the same topic,
 * in every deployment and version.
 */
public final class TopicNames {

    private TopicNames() {
    }

    /** The part of {@code streamId} before its first '-'; the whole id when it has none or starts with one. */
    public static String category(String streamId) {
        int dash = streamId.indexOf('-');
        return dash > 0 ? streamId.substring(0, dash) : streamId;
    }

    /**
     * {@code <prefix>.<category>}, the category with every character other than an ASCII letter,
     * digit, '_' or '-' replaced by '_' ('.' too: Kafka's metric names do not tell '.' from '_', so
     * topics that differ only there collide). An empty category becomes '_'. A name longer than
     * Kafka's 249 characters is cut and ends in '_' and the 8 hex digits of the CRC-32 of the
     * category's UTF-8 bytes, so long categories stay apart.
     */
    public static String categoryTopic(String prefix, String streamId) {
        String category = category(streamId);
        StringBuilder topic = new StringBuilder(prefix.length() + 1 + category.length()).append(prefix).append('.');
        if (category.isEmpty()) {
            topic.append('_');
        }
        category.codePoints().forEach(c -> topic.append(isLegal(c) ? (char) c : '_'));
        if (topic.length() <= EventRecordTransformConfig.MAX_TOPIC_LENGTH) {
            return topic.toString();
        }
        CRC32 crc = new CRC32();
        crc.update(category.getBytes(StandardCharsets.UTF_8));
        String suffix = String.format("_%08x", crc.getValue());
        return topic.substring(0, EventRecordTransformConfig.MAX_TOPIC_LENGTH - suffix.length()) + suffix;
    }

    private static boolean isLegal(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
}
