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
     * {@code <prefix>.<category>}. A category of ASCII letters, digits, '_' and '-' only is used as
     * it is. Any other category is cleaned, and its topic is kept apart from every other by a
     * suffix: each other character becomes '_' ('.' too: Kafka's metric names do not tell '.' from
     * '_', so topics that differ only there collide), then '-' and the 8 hex digits of the CRC-32 of
     * the category's UTF-8 bytes ({@code q"x\\y} 1{} → {@code q_x_y__1_-4a19e3ca}). Two categories
     * that clean alike ({@code a.b}, {@code a b}) thus get two topics, and neither takes the topic of
     * a category that needed no cleaning: such a category never holds a '-' after its first
     * character (the category of {@code game-42} is {@code game}), so the suffix cannot be one of
     * its names. An empty category is cleaned too ({@code _-00000000}). A name longer than Kafka's
     * 249 characters is cut and ends in the same 8 hex digits, after '-' when cleaned, '_' when not.
     * Two categories share a topic only when their hashes collide and they clean alike, or when one
     * is a stream id starting with '-' built to match another's cleaned name.
     */
    public static String categoryTopic(String prefix, String streamId) {
        String category = category(streamId);
        boolean clean = !category.isEmpty();
        for (int i = 0; i < category.length() && clean; i++) {
            clean = isLegal(category.charAt(i));
        }
        if (clean && prefix.length() + 1 + category.length() <= EventRecordTransformConfig.MAX_TOPIC_LENGTH) {
            return prefix + '.' + category; // the common case: no hash to compute
        }
        StringBuilder topic = new StringBuilder(prefix.length() + 1 + category.length() + 9).append(prefix).append('.');
        if (category.isEmpty()) {
            topic.append('_');
        }
        category.codePoints().forEach(c -> topic.append(isLegal(c) ? (char) c : '_'));
        String suffix = (clean ? "_" : "-") + hash(category);
        if (!clean) {
            topic.append(suffix);
        }
        if (topic.length() <= EventRecordTransformConfig.MAX_TOPIC_LENGTH) {
            return topic.toString();
        }
        return topic.substring(0, EventRecordTransformConfig.MAX_TOPIC_LENGTH - suffix.length()) + suffix;
    }

    /** The 8 hex digits of the CRC-32 of {@code category}'s UTF-8 bytes. */
    private static String hash(String category) {
        CRC32 crc = new CRC32();
        crc.update(category.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    private static boolean isLegal(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
}
