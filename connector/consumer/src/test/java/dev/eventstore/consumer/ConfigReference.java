package dev.eventstore.consumer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Renders the configuration reference of {@link CheckpointingSubscriber} as Markdown from
 * {@link CheckpointingSubscriberConfig#CONFIG_DEF}: generated from the definition, never written
 * twice. {@link ConfigReferenceTest} checks that the committed file is this output.
 *
 * <p>Regenerate: {@code mvn -B -pl connector/consumer test -Dtest=ConfigReferenceTest
 * -Deventstore.docs.regenerate=true}.
 */
final class ConfigReference {

    /** The committed file, relative to the module directory. */
    static final String PATH = "CONFIG.md";

    private ConfigReference() {
    }

    static String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("<!-- Generated from CheckpointingSubscriberConfig.CONFIG_DEF by ConfigReference (connector/consumer tests).\n")
                .append("     Do not edit: change the ConfigDef and regenerate with\n")
                .append("     mvn -B -pl connector/consumer test -Dtest=ConfigReferenceTest -Deventstore.docs.regenerate=true -->\n\n");
        out.append("# `CheckpointingSubscriber` configuration\n\n");
        out.append("Class: `").append(CheckpointingSubscriberConfig.class.getName()).append("`. Give the keys as a map to ")
                .append("`CheckpointingSubscriber.builder(Map)`. Keys under `kafka.` pass to the Kafka consumer (and, for ")
                .append("producer settings, to the dead-letter producer) without the prefix: `kafka.security.protocol`, ")
                .append("`kafka.sasl.jaas.config`, `kafka.group.instance.id`, `kafka.session.timeout.ms`, ... except the ")
                .append("settings the subscriber owns (group id, bootstrap servers, auto-commit, offset reset, ")
                .append("max poll records, deserializers). `isolation.level` defaults to `read_committed`.\n\n");

        out.append("| Key | Type | Default | Valid values | Importance |\n");
        out.append("|---|---|---|---|---|\n");
        List<ConfigDef.ConfigKey> keys = CheckpointingSubscriberConfig.CONFIG_DEF.configKeys().values().stream().toList();
        for (ConfigDef.ConfigKey key : keys) {
            out.append("| [`").append(key.name).append("`](#").append(key.name.replace(".", "")).append(") | ")
                    .append(key.type.name().toLowerCase()).append(" | ")
                    .append(defaultValue(key)).append(" | ")
                    .append(cell(String.valueOf(key.validator))).append(" | ")
                    .append(key.importance.name().toLowerCase()).append(" |\n");
        }
        String group = null;
        for (ConfigDef.ConfigKey key : keys) {
            if (!key.group.equals(group)) {
                group = key.group;
                out.append("\n## ").append(group).append("\n");
            }
            out.append("\n### `").append(key.name).append("`\n\n");
            out.append(key.documentation).append("\n\n");
            out.append("- Type: ").append(key.type.name().toLowerCase()).append("\n");
            out.append("- Default: ").append(defaultValue(key)).append("\n");
            out.append("- Valid values: ").append(String.valueOf(key.validator)).append("\n");
            out.append("- Importance: ").append(key.importance.name().toLowerCase()).append("\n");
        }
        return out.toString();
    }

    private static String defaultValue(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "(required)";
        }
        Object value = key.defaultValue;
        if (value instanceof List<?> list) {
            value = String.join(",", list.stream().map(String::valueOf).toList());
        }
        return value == null || value.toString().isEmpty() ? "(empty)" : "`" + value + "`";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    static void write(Path file) throws IOException {
        Files.writeString(file, markdown(), StandardCharsets.UTF_8);
    }
}
