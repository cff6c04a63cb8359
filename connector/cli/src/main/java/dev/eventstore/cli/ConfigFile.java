package dev.eventstore.cli;

import dev.eventstore.jdbc.PostgresErrors;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a bridge configuration file (Java properties, UTF-8) and refuses, in one line with exit
 * code 2, what is not one: a missing file, a directory, a device such as /dev/null, a file it may
 * not read, bytes that are not UTF-8 (a binary file), a control character (a NUL) anywhere, and a
 * key given twice (naming the key and both lines). Passwords in it are registered for masking.
 */
final class ConfigFile {

    private ConfigFile() {
    }

    static Properties read(Path file) {
        String name = Secrets.line(file.toString());
        if (!Files.exists(file)) {
            throw usage("configuration file " + name + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw usage("configuration file " + name + " is a directory, not a file");
        }
        if (!Files.isRegularFile(file)) {
            throw usage("configuration file " + name + " is not a regular file (a device or a pipe)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw usage("cannot read configuration file " + name + ": permission denied");
        } catch (NoSuchFileException e) {
            throw usage("configuration file " + name + " does not exist");
        } catch (IOException e) {
            throw usage("cannot read configuration file " + name + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (MalformedInputException e) {
            throw usage("configuration file " + name + " is not UTF-8 text (a binary file?): invalid byte on line "
                    + lineOfByte(bytes, firstMalformedByte(bytes)));
        } catch (CharacterCodingException e) {
            throw usage("configuration file " + name + " is not UTF-8 text (a binary file?)");
        }
        return parse(name, text);
    }

    /** The properties of {@code text}, each logical line parsed alone so that duplicates are seen. */
    static Properties parse(String name, String text) {
        Properties properties = new Properties();
        Map<String, Integer> lineOfKey = new HashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            for (int c = 0; c < line.length(); c++) {
                char ch = line.charAt(c);
                if (Character.isISOControl(ch) && ch != '\t' && ch != '\f') {
                    throw usage("configuration file " + name + " line " + (i + 1) + ": control character "
                            + String.format("U+%04X", (int) ch) + " (a binary file?)");
                }
            }
        }
        for (int i = 0; i < lines.size(); i++) {
            int first = i + 1;
            String line = lines.get(i);
            StringBuilder logical = new StringBuilder(line);
            while (continues(lines.get(i)) && i + 1 < lines.size()) {
                i++;
                logical.append('\n').append(lines.get(i));
            }
            String trimmed = line.stripLeading();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
                continue;
            }
            Properties one = new Properties();
            try {
                one.load(new StringReader(logical.toString()));
            } catch (IOException | IllegalArgumentException e) {
                throw usage("cannot read configuration file " + name + ": line " + first + ": "
                        + Secrets.line(e.getMessage() == null ? "malformed" : e.getMessage()));
            }
            for (String key : one.stringPropertyNames()) {
                Integer earlier = lineOfKey.putIfAbsent(key, first);
                if (earlier != null) {
                    throw usage("configuration file " + name + ": " + CommandInputs.quote(PostgresErrors.mask(key))
                            + " is set twice, on lines " + earlier + " and " + first + "; keep one");
                }
                String value = one.getProperty(key);
                if (key.toLowerCase(Locale.ROOT).contains("password")) {
                    PostgresErrors.registerSecret(value);
                }
                PostgresErrors.registerSecretsOf(value);
                properties.setProperty(key, value);
            }
        }
        return properties;
    }

    /** Whether a line ends in an odd number of backslashes: the value goes on on the next line. */
    private static boolean continues(String line) {
        String trimmed = line.stripLeading();
        if (trimmed.startsWith("#") || trimmed.startsWith("!")) {
            return false;
        }
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private static int firstMalformedByte(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        var out = java.nio.CharBuffer.allocate(bytes.length + 1);
        var result = decoder.decode(in, out, true);
        return result.isError() ? in.position() : 0;
    }

    private static int lineOfByte(byte[] bytes, int position) {
        int line = 1;
        for (int i = 0; i < position && i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    private static CommandFailedException usage(String message) {
        return new CommandFailedException(message, ExitCodes.USAGE);
    }
}
