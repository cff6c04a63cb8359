package dev.eventstore.cli;

import dev.eventstore.jdbc.ConnectionSettings;
import dev.eventstore.jdbc.PostgresErrors;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * What keeps secrets out of everything the command line prints. Every path ends in
 * {@link PostgresErrors#mask}, the one masking function:
 * <ul>
 *   <li>the one-line error ({@link #line}), which also escapes control characters so that it stays
 *       one line;</li>
 *   <li>the {@code --verbose} stack trace ({@link #stackTrace}), every cause's message masked;</li>
 *   <li>log lines, through the {@code %mmsg} and {@code %mex} conversions of logback.xml
 *       ({@link MaskingConverters});</li>
 *   <li>and, under all of these, the process's stdout and stderr themselves ({@link #install}), for
 *       whatever a library prints directly.</li>
 * </ul>
 * Passwords given in the environment, on the command line or in a configuration file are
 * registered ({@link PostgresErrors#registerSecret}) so that they are masked even where a message
 * repeats them without their {@code password=}.
 */
final class Secrets {

    private Secrets() {
    }

    /** Replaces System.out and System.err by streams that mask each line before writing it. */
    static void install() {
        if (!(System.out instanceof MaskingPrintStream)) {
            System.setOut(new MaskingPrintStream(System.out));
        }
        if (!(System.err instanceof MaskingPrintStream)) {
            System.setErr(new MaskingPrintStream(System.err));
        }
    }

    /**
     * Registers every secret of the environment (EVENTSTORE_*PASSWORD* variables, the user-info
     * and password parameters of EVENTSTORE_DB_URL) and of the command line (--db-password, the
     * secrets of a --db-url).
     */
    static void register(Map<String, String> environment, String... args) {
        environment.forEach((name, value) -> {
            if (name.startsWith("EVENTSTORE_") && name.toUpperCase(Locale.ROOT).contains("PASSWORD")) {
                PostgresErrors.registerSecret(value);
            }
            if (name.startsWith("EVENTSTORE_")) {
                PostgresErrors.registerSecretsOf(value);
            }
        });
        PostgresErrors.registerSecretsOf(environment.get(ConnectionSettings.ENV_URL));
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String next = i + 1 < args.length ? args[i + 1] : null;
            if (arg.equals("--db-password")) {
                PostgresErrors.registerSecret(next);
            } else if (arg.startsWith("--db-password=")) {
                PostgresErrors.registerSecret(arg.substring("--db-password=".length()));
            } else if (arg.equals("--db-url")) {
                PostgresErrors.registerSecretsOf(next);
            } else if (arg.startsWith("--db-url=")) {
                PostgresErrors.registerSecretsOf(arg.substring("--db-url=".length()));
            } else {
                PostgresErrors.registerSecretsOf(arg);
            }
        }
    }

    /**
     * {@code message} fit for one line of output: secrets masked, control characters (a newline, a
     * NUL, an escape) written as {@code \\uXXXX}.
     */
    static String line(String message) {
        String masked = PostgresErrors.mask(message == null ? "" : message);
        StringBuilder out = new StringBuilder(masked.length());
        for (int i = 0; i < masked.length(); i++) {
            char c = masked.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code failure}'s stack trace as printStackTrace writes it, every line masked. */
    static String stackTrace(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return PostgresErrors.mask(trace.toString());
    }

    /** Prints {@code failure}'s masked stack trace to {@code err}. */
    static void printStackTrace(Throwable failure, PrintWriter err) {
        err.print(stackTrace(failure));
        err.flush();
    }

    /**
     * A stream that holds each line until its end (or a flush, or a carriage return for progress
     * bars) and writes it masked.
     */
    static final class MaskingPrintStream extends PrintStream {
        MaskingPrintStream(PrintStream target) {
            super(new MaskingOutputStream(target), true, StandardCharsets.UTF_8);
        }
    }

    static final class MaskingOutputStream extends FilterOutputStream {
        /** A line longer than this is written masked in pieces rather than held. */
        private static final int MAX_HELD = 64 * 1024;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        MaskingOutputStream(OutputStream target) {
            super(target);
        }

        @Override
        public synchronized void write(int b) throws IOException {
            line.write(b);
            if (b == '\n' || b == '\r' || line.size() >= MAX_HELD) {
                writeLine();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            writeLine();
            out.flush();
        }

        private void writeLine() throws IOException {
            if (line.size() == 0) {
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            out.write(PostgresErrors.mask(text).getBytes(StandardCharsets.UTF_8));
        }
    }
}
