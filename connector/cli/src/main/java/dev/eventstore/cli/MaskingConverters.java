package dev.eventstore.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.eventstore.jdbc.PostgresErrors;

/**
 * The logback conversions of logback.xml that mask secrets in every log line, of every logger:
 * {@code %mmsg} for the message, {@code %mex} for the stack trace (every cause's message).
 */
public final class MaskingConverters {

    private MaskingConverters() {
    }

    /** {@code %msg}, masked. */
    public static final class Message extends MessageConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return PostgresErrors.mask(super.convert(event));
        }
    }

    /** {@code %ex}, masked. */
    public static final class StackTrace extends ThrowableProxyConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return PostgresErrors.mask(super.convert(event));
        }
    }
}
