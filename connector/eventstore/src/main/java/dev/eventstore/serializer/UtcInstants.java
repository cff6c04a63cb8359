package dev.eventstore.serializer;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads the one form of time this product writes, ISO-8601 in UTC as {@link Instant#toString()}
 * gives it ({@code 2024-05-01T12:34:56Z}, {@code 2024-05-01T12:34:56.789Z}, up to nine fraction
 * digits), without a {@code DateTimeFormatter}: the general parser costs a few microseconds a
 * value, more than the rest of a small event (JFR of a replay, BENCHMARKS.md). Anything else, an
 * offset, a lower-case {@code z}, a year beyond 9999 or a date that does not exist, gives
 * {@code null} so that the caller's general parser decides and words the error.
 */
public final class UtcInstants {

    private static final int DATE_TIME_LENGTH = 19; // yyyy-MM-ddTHH:mm:ss

    private UtcInstants() {
    }

    /** {@code text} as an instant if it is in the form above, else {@code null}. */
    public static Instant parse(CharSequence text) {
        int length = text.length();
        if (length < DATE_TIME_LENGTH + 1 || length > DATE_TIME_LENGTH + 11 || text.charAt(length - 1) != 'Z'
                || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int nanos = 0;
        if (length > DATE_TIME_LENGTH + 1) {
            int fractionDigits = length - DATE_TIME_LENGTH - 2;
            if (text.charAt(DATE_TIME_LENGTH) != '.' || fractionDigits < 1) {
                return null;
            }
            nanos = digits(text, DATE_TIME_LENGTH + 1, length - 1);
            if (nanos < 0) {
                return null;
            }
            for (int i = fractionDigits; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        try {
            long days = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(days * 86_400L + hour * 3_600L + minute * 60L + second, nanos);
        } catch (DateTimeException e) {
            return null; // February 30 and the like
        }
    }

    /** The decimal number in {@code text[from, to)} (at most nine digits), or -1 if any is not a digit. */
    private static int digits(CharSequence text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
