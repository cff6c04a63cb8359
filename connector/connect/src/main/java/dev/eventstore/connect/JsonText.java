package dev.eventstore.connect;

import java.util.HashMap;
import java.util.Map;

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
        try {
            return new Reader(json).topLevelScalars();
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

        Map<String, String> topLevelScalars() {
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
                    if (c == '"') {
                        members.put(name, readString());
                    } else if (c == '-' || (c >= '0' && c <= '9')) {
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
                case '"' -> readString();
                case '{' -> skipContainer('{', '}');
                case '[' -> skipContainer('[', ']');
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> readNumber();
            }
        }

        private void skipContainer(char open, char close) {
            expect(open);
            int depth = 1;
            while (depth > 0) {
                char c = text.charAt(pos);
                if (c == '"') {
                    readString();
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
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw new IllegalArgumentException("Value expected at " + pos);
            }
            return text.substring(start, pos);
        }

        private String readString() {
            expect('"');
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
