package dev.eventstore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The client-chosen ids ({@value EventMetadata#EVENT_UUID}) of a batch: none, or one per event,
 * each a canonical UUID and unique within the batch. A batch where only some events carry one is
 * refused: a retry could not tell which part was written.
 */
final class EventUuids {

    /** The JSON key as it appears in metadata text: a cheap test before parsing the metadata. */
    private static final String KEY = "\"" + EventMetadata.EVENT_UUID + "\"";

    private EventUuids() {
    }

    /**
     * The batch's ids in batch order, or {@code null} when no event carries one.
     *
     * @throws InvalidEventException naming the first event whose id is missing, malformed or repeated
     */
    static List<String> of(String streamId, List<EventData> events) {
        List<String> ids = null;
        Map<String, Integer> seen = null;
        for (int i = 0; i < events.size(); i++) {
            EventData event = events.get(i);
            String id = idOf(streamId, i, event);
            if (i == 0) {
                if (id == null) {
                    for (int j = 1; j < events.size(); j++) {
                        if (idOf(streamId, j, events.get(j)) != null) {
                            throw new InvalidEventException(streamId, 0, events.get(0).eventType(), "it has no "
                                    + EventMetadata.EVENT_UUID + " while event " + j + " of the batch has one: give"
                                    + " every event of the batch one, or none");
                        }
                    }
                    return null;
                }
                ids = new ArrayList<>(events.size());
                seen = new HashMap<>();
            } else if (id == null) {
                throw new InvalidEventException(streamId, i, event.eventType(), "it has no " + EventMetadata.EVENT_UUID
                        + " while event 0 of the batch has one: give every event of the batch one, or none");
            }
            Integer earlier = seen.putIfAbsent(id, i);
            if (earlier != null) {
                throw new InvalidEventException(streamId, i, event.eventType(), "its " + EventMetadata.EVENT_UUID + " "
                        + id + " is also event " + earlier + "'s: each event needs its own");
            }
            ids.add(id);
        }
        return ids;
    }

    /** Parses a metadata value as a canonical UUID (lower case, as {@link UUID#toString()} writes it). */
    static UUID parse(Object value) {
        if (value instanceof String text && text.length() == 36) {
            try {
                UUID uuid = UUID.fromString(text);
                if (uuid.toString().equals(text)) {
                    return uuid;
                }
            } catch (IllegalArgumentException notUuid) {
                // Reported below.
            }
        }
        throw new IllegalArgumentException(EventMetadata.EVENT_UUID + " must be a UUID in lower-case canonical form"
                + " (8-4-4-4-12 hexadecimal digits)");
    }

    private static String idOf(String streamId, int index, EventData event) {
        String metadata = event.metadata();
        if (metadata == null || !metadata.contains(KEY)) {
            return null;
        }
        Object value;
        try {
            value = event.eventMetadata().get(EventMetadata.EVENT_UUID);
        } catch (IllegalArgumentException notAnObject) {
            return null; // the validator has named the metadata problem already
        }
        if (value == null) {
            return null;
        }
        try {
            return parse(value).toString();
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(streamId, index, event.eventType(), e.getMessage());
        }
    }
}
