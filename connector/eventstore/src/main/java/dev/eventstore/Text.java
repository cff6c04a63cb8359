package dev.eventstore;

/** Renders caller-supplied names (stream ids, event types) safely into one-line messages. */
final class Text {

    private static final int SHOWN = 80;

    private Text() {
    }

    /** {@code 'value'} with control characters escaped and long values shortened. */
    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        return "'" + quoteless(value) + "'";
    }

    static String quoteless(String value) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < value.length(); i++) {
            if (shown == SHOWN) {
                out.append("... (").append(value.codePointCount(0, value.length())).append(" characters)");
                break;
            }
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
            if (!Character.isHighSurrogate(c)) {
                shown++;
            }
        }
        return out.toString();
    }
}
