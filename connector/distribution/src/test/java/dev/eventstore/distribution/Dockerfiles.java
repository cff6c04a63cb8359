package dev.eventstore.distribution;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Dockerfile as its instructions: keyword and arguments, line continuations joined, comments left out. */
final class Dockerfiles {

    static final Path DOCKER = Path.of(System.getProperty("eventstore.docker.directory"));

    record Instruction(String keyword, String arguments) {
    }

    private Dockerfiles() {
    }

    static List<Instruction> parse(Path dockerfile) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile, StandardCharsets.UTF_8)) {
            String trimmed = line.trim();
            if (current.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String text = current.toString().trim();
            current.setLength(0);
            int space = text.indexOf(' ');
            instructions.add(new Instruction(text.substring(0, space).toUpperCase(Locale.ROOT), text.substring(space + 1).trim()));
        }
        return instructions;
    }

    static List<Instruction> all(List<Instruction> instructions, String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The exec-form command of {@code HEALTHCHECK [options] CMD [...]}. */
    static List<String> healthCheckCommand(List<Instruction> instructions) throws IOException {
        String arguments = all(instructions, "HEALTHCHECK").get(0).arguments();
        String json = arguments.substring(arguments.indexOf("CMD ") + 4).trim();
        return List.of(new ObjectMapper().readValue(json, String[].class));
    }
}
