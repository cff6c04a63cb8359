package dev.eventstore.connect;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The little JSON this plugin needs, without a JSON library (a Connect plugin should not bring its
 * own Jackson): quoting a string, and reading the scalar members at the top level of an object.
 * Event data and metadata are never parsed otherwise; they travel as the text PostgreSQL gave.
 */
final class JsonText {

    private JsonText() {
    }

    /** {@code value} as a JSON string literal, quotes included. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /**
     * The string and number members at the top level of a JSON object: strings unescaped, numbers
     * as written. Nested objects and arrays, booleans and nulls are skipped. Returns an empty map
     * when the text is not a well-formed JSON object.
     */
    static Map<String, String> topLevelScalars(String json) {
        return topLevelScalars(json, null);
    }

    /**
     * As {@link #topLevelScalars(String)}, keeping only the members named in {@code names} (all when
     * {@code null}); the others are checked as strictly but never copied. The bridge maps every event
     * through this, so it allocates nothing for members it does not keep.
     */
    static Map<String, String> topLevelScalars(String json, Set<String> names) {
        try {
            return new Reader(json).topLevelScalars(names);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return Map.of();
        }
    }

    private static final class Reader {
        private final String text;
        private int pos;

        Reader(String text) {
            this.text = text;
        }

        Map<String, String> topLevelScalars(Set<String> names) {
            Map<String, String> members = new HashMap<>();
            skipWhitespace();
            expect('{');
            skipWhitespace();
            if (peek() == '}') {
                pos++;
            } else {
                while (true) {
                    skipWhitespace();
                    String name = readString();
                    skipWhitespace();
                    expect(':');
                    skipWhitespace();
                    char c = peek();
                    boolean kept = names == null || names.contains(name);
                    if (kept && c == '"') {
                        members.put(name, readString());
                    } else if (kept && (c == '-' || (c >= '0' && c <= '9'))) {
                        members.put(name, readNumber());
                    } else {
                        skipValue();
                    }
                    skipWhitespace();
                    char next = text.charAt(pos++);
                    if (next == '}') {
                        break;
                    }
                    if (next != ',') {
                        throw new IllegalArgumentException("',' or '}' expected at " + (pos - 1));
                    }
                }
            }
            skipWhitespace();
            if (pos != text.length()) {
                throw new IllegalArgumentException("Trailing text at " + pos);
            }
            return members;
        }

        private void skipValue() {
            char c = peek();
            switch (c) {
                case '"' -> skipString();
                case '{' -> skipContainer('{', '}');
                case '[' -> skipContainer('[', ']');
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> skipNumber();
            }
        }

        private void skipContainer(char open, char close) {
            expect(open);
            int depth = 1;
            while (depth > 0) {
                char c = text.charAt(pos);
                if (c == '"') {
                    skipString();
                    continue;
                }
                pos++;
                if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    depth--;
                }
            }
            if (text.charAt(pos - 1) != close) {
                throw new IllegalArgumentException("Unbalanced '" + open + "'");
            }
        }

        private void literal(String word) {
            if (!text.startsWith(word, pos)) {
                throw new IllegalArgumentException("'" + word + "' expected at " + pos);
            }
            pos += word.length();
        }

        private String readNumber() {
            int start = pos;
            skipNumber();
            return text.substring(start, pos);
        }

        private void skipNumber() {
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw new IllegalArgumentException("Value expected at " + pos);
            }
        }

        /** Past a string, checking its escapes as {@link #readString} does, without copying it. */
        private void skipString() {
            expect('"');
            while (true) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return;
                }
                if (c == '\\') {
                    char escaped = text.charAt(pos++);
                    switch (escaped) {
                        case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> { }
                        case 'u' -> {
                            Integer.parseInt(text.substring(pos, pos + 4), 16);
                            pos += 4;
                        }
                        default -> throw new IllegalArgumentException("Bad escape at " + (pos - 1));
                    }
                }
            }
        }

        private String readString() {
            expect('"');
            int start = pos;
            for (int i = start; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"') {
                    pos = i + 1;
                    return text.substring(start, i); // no escape: the common case, copied once
                }
                if (c == '\\') {
                    break;
                }
            }
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char escaped = text.charAt(pos++);
                switch (escaped) {
                    case '"', '\\', '/' -> out.append(escaped);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw new IllegalArgumentException("Bad escape at " + (pos - 1));
                }
            }
        }

        private void expect(char c) {
            if (text.charAt(pos) != c) {
                throw new IllegalArgumentException("'" + c + "' expected at " + pos);
            }
            pos++;
        }

        private char peek() {
            return text.charAt(pos);
        }

        private void skipWhitespace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }
    }
}
