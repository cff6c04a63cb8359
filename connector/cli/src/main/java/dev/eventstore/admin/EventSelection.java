package dev.eventstore.admin;

/**
 * Which stored events an admin command works on: all of them, one category, one stream, or those
 * from an event id on. At most one of the fields is set.
 */
public record EventSelection(String category, String streamId, Long fromEventId) {

    public static EventSelection all() {
        return new EventSelection(null, null, null);
    }

    public static EventSelection category(String category) {
        return new EventSelection(category, null, null);
    }

    public static EventSelection stream(String streamId) {
        return new EventSelection(null, streamId, null);
    }

    public static EventSelection fromEventId(long eventId) {
        return new EventSelection(null, null, eventId);
    }

    public String describe() {
        if (streamId != null) {
            return "stream " + streamId;
        }
        if (category != null) {
            return "category " + category;
        }
        if (fromEventId != null) {
            return "events from id " + fromEventId;
        }
        return "all events";
    }
}
