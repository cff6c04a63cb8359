package dev.eventstore;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.util.List;

/**
 * Checks everything about a request that can be checked before it reaches PostgreSQL, so that bad
 * input gets one clear line and nothing is written. The SQL functions check stream ids, event
 * types and versions again (their own defence); JSON that jsonb would refuse ({@code \u0000},
 * unpaired surrogates) and the size limit are checked only here.
 */
final class EventValidator {

    private final int maxEventSizeBytes;

    EventValidator(int maxEventSizeBytes) {
        if (maxEventSizeBytes < 1) {
            throw new IllegalArgumentException("max event size must be 1 byte or more, was " + maxEventSizeBytes);
        }
        this.maxEventSizeBytes = maxEventSizeBytes;
    }

    int maxEventSizeBytes() {
        return maxEventSizeBytes;
    }

    /** Refuses a stream id PostgreSQL's {@code check_stream_id} would refuse. */
    static void checkStreamId(String streamId) {
        String reason = nameProblem(streamId, "stream id", Limits.MAX_STREAM_ID_LENGTH);
        if (reason != null) {
            throw new InvalidRequestException("invalid stream id"
                    + (streamId == null || streamId.isEmpty() ? "" : " " + Text.quote(streamId)) + ": " + reason);
        }
    }

    static void checkSubscriptionId(String subscriptionId) {
        String reason = nameProblem(subscriptionId, "subscription id", Limits.MAX_SUBSCRIPTION_ID_LENGTH);
        if (reason != null) {
            throw new InvalidRequestException("invalid subscription id"
                    + (subscriptionId == null || subscriptionId.isEmpty() ? "" : " " + Text.quote(subscriptionId))
                    + ": " + reason);
        }
    }

    static void checkExpectedVersion(ExpectedVersion expected) {
        if (expected == null) {
            throw new InvalidRequestException("the expected version is missing: use ExpectedVersion.ANY, NO_STREAM,"
                    + " STREAM_EXISTS or exactly(n)");
        }
    }

    static void checkPage(String what, long position, int maxCount) {
        if (position < 0) {
            throw new InvalidRequestException("invalid " + what + " " + position + ": must be 0 or more");
        }
        if (maxCount < 1) {
            throw new InvalidRequestException("invalid max count " + maxCount + ": must be 1 or more");
        }
    }

    /** Checks a whole append; throws for the first problem found. */
    void checkAppend(String streamId, ExpectedVersion expected, List<EventData> events) {
        checkStreamId(streamId);
        checkExpectedVersion(expected);
        if (events == null || events.isEmpty()) {
            throw new InvalidRequestException("append to stream " + Text.quote(streamId) + ": the batch holds no events");
        }
        for (int i = 0; i < events.size(); i++) {
            EventData event = events.get(i);
            String reason = eventProblem(event);
            if (reason != null) {
                throw new InvalidEventException(streamId, i, event == null ? null : event.eventType(), reason);
            }
        }
    }

    /** Why {@code event} cannot be stored, or {@code null}. */
    String eventProblem(EventData event) {
        if (event == null) {
            return "the event is null";
        }
        String typeProblem = nameProblem(event.eventType(), "event type", Limits.MAX_EVENT_TYPE_LENGTH);
        if (typeProblem != null) {
            return typeProblem;
        }
        if (event.eventVersion() < 1) {
            return "the event version is " + event.eventVersion() + ", it must be 1 or more";
        }
        if (event.data() == null) {
            return "the data is missing (use {} for an event without data)";
        }
        long size = utf8Length(event.eventType()) + utf8Length(event.data())
                + (event.metadata() == null ? 0 : utf8Length(event.metadata()));
        if (size > maxEventSizeBytes) {
            return "the event is " + size + " bytes (type, data and metadata as UTF-8), the limit is "
                    + maxEventSizeBytes + " (" + EventStoreConfig.MAX_EVENT_SIZE + ")";
        }
        String dataProblem = jsonProblem(event.data(), "data", false);
        if (dataProblem != null) {
            return dataProblem;
        }
        return event.metadata() == null ? null : jsonProblem(event.metadata(), "metadata", true);
    }

    /** Why {@code name} is no valid stream id, event type or subscription id, or {@code null}. */
    static String nameProblem(String name, String what, int maxLength) {
        if (name == null) {
            return "the " + what + " is missing";
        }
        if (name.isEmpty()) {
            return "the " + what + " is empty";
        }
        if (name.isBlank()) {
            return "the " + what + " is only whitespace";
        }
        int length = name.codePointCount(0, name.length());
        if (length > maxLength) {
            return "the " + what + " is " + length + " characters, the limit is " + maxLength;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                return "the " + what + " contains a control character (" + String.format("U+%04X", (int) c)
                        + " at index " + i + ")";
            }
            if (Character.isSurrogate(c) && !pairedSurrogate(name, i)) {
                return "the " + what + " contains an unpaired UTF-16 surrogate at index " + i;
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        return null;
    }

    /**
     * Why {@code json} is not one JSON value that PostgreSQL's jsonb accepts, or {@code null}.
     * The reason names a position, never the content.
     */
    static String jsonProblem(String json, String what, boolean objectRequired) {
        try (JsonParser parser = Json.FACTORY.createParser(json)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return "the " + what + " is empty, not JSON";
            }
            if (objectRequired && token != JsonToken.START_OBJECT) {
                return "the " + what + " is not a JSON object";
            }
            int depth = 0;
            while (true) {
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    depth++;
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    depth--;
                } else if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                    String problem = stringProblem(parser);
                    if (problem != null) {
                        return "the " + what + " contains " + problem + at(parser.currentTokenLocation());
                    }
                } else if (token == JsonToken.VALUE_NUMBER_FLOAT && !numberInRange(parser.getText())) {
                    return "the " + what + " contains a number outside PostgreSQL's numeric range"
                            + at(parser.currentTokenLocation());
                }
                if (depth == 0) {
                    break;
                }
                token = parser.nextToken();
                if (token == null) {
                    return "the " + what + " is not valid JSON (it ends too early)";
                }
            }
            if (parser.nextToken() != null) {
                return "the " + what + " is not valid JSON (more than one value" + at(parser.currentTokenLocation()) + ")";
            }
            return null;
        } catch (StreamConstraintsException e) {
            String message = e.getOriginalMessage();
            int cut = message.indexOf(" (");
            return "the " + what + " exceeds a JSON limit: " + (cut > 0 ? message.substring(0, cut) : message);
        } catch (JsonProcessingException e) {
            return "the " + what + " is not valid JSON" + at(e.getLocation());
        } catch (IOException e) {
            return "the " + what + " cannot be read as JSON: " + e.getClass().getSimpleName();
        }
    }

    private static String stringProblem(JsonParser parser) throws IOException {
        char[] chars = parser.getTextCharacters();
        int offset = parser.getTextOffset();
        int end = offset + parser.getTextLength();
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c == '\u0000') {
                return "\\u0000, which PostgreSQL cannot store in jsonb";
            }
            if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "an unpaired UTF-16 surrogate, which PostgreSQL cannot store in jsonb";
            }
        }
        return null;
    }

    /**
     * Whether PostgreSQL's numeric holds the JSON number {@code text}: at most 131,072 digits
     * before the decimal point and 16,383 after, once the exponent is applied.
     */
    static boolean numberInRange(String text) {
        int e = Math.max(text.indexOf('e'), text.indexOf('E'));
        if (e < 0) {
            return true;
        }
        long exponent;
        try {
            exponent = Long.parseLong(text.substring(e + 1));
        } catch (NumberFormatException tooLong) {
            return false;
        }
        String mantissa = text.substring(text.charAt(0) == '-' ? 1 : 0, e);
        int point = mantissa.indexOf('.');
        String integerPart = point < 0 ? mantissa : mantissa.substring(0, point);
        int fractionDigits = point < 0 ? 0 : mantissa.length() - point - 1;
        int integerDigits = integerPart.replaceFirst("^0+", "").length();
        return integerDigits + exponent <= 131_072 && fractionDigits - exponent <= 16_383;
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static boolean pairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** The UTF-8 length of {@code s}, without encoding it. */
    static long utf8Length(String s) {
        long bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
