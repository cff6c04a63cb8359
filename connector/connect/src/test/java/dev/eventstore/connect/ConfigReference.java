package dev.eventstore.connect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Renders the configuration reference of {@link EventRecordTransform} as Markdown, from its
 * {@link EventRecordTransform#CONFIG_DEF}: the docs are generated from the definition, never
 * written twice. {@link ConfigReferenceTest} checks that the committed file is this output.
 *
 * <p>Regenerate: {@code mvn -B -pl connector/connect test -Dtest=ConfigReferenceTest
 * -Deventstore.docs.regenerate=true}, or run this class's {@code main} with the repository root
 * as working directory.
 */
final class ConfigReference {

    /** The committed file, relative to the repository root. */
    static final String PATH = "docs/connect-transform-config.md";

    private ConfigReference() {
    }

    static String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("<!-- Generated from EventRecordTransform.CONFIG_DEF by ConfigReference (connector/connect tests).\n")
                .append("     Do not edit: change the ConfigDef and regenerate with\n")
                .append("     mvn -B -pl connector/connect test -Dtest=ConfigReferenceTest -Deventstore.docs.regenerate=true -->\n\n");
        out.append("# `EventRecordTransform` configuration\n\n");
        out.append("Class: `").append(EventRecordTransform.class.getName()).append("` (Kafka Connect single message ")
                .append("transform; listed in `META-INF/services/org.apache.kafka.connect.transforms.Transformation` ")
                .append("for `plugin.discovery=service_load`).\n\n");
        out.append(text(EventRecordTransform.OVERVIEW_DOC)).append("\n\n");
        out.append("Example, beside Debezium's `PostgresConnector`:\n\n```json\n")
                .append("\"transforms\": \"event\",\n")
                .append("\"transforms.event.type\": \"").append(EventRecordTransform.class.getName()).append("\",\n")
                .append("\"transforms.event.topic.prefix\": \"eventstore\",\n")
                .append("\"key.converter\": \"org.apache.kafka.connect.storage.StringConverter\",\n")
                .append("\"value.converter\": \"org.apache.kafka.connect.storage.StringConverter\"\n```\n\n");

        out.append("| Key | Type | Default | Valid values | Importance |\n");
        out.append("|---|---|---|---|---|\n");
        List<ConfigDef.ConfigKey> keys = EventRecordTransform.CONFIG_DEF.configKeys().values().stream().toList();
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
            out.append(text(key.documentation)).append("\n\n");
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
        return key.defaultValue == null ? "(none)" : "`" + key.defaultValue + "`";
    }

    /** The HTML of Kafka's doc strings as Markdown. */
    private static String text(String html) {
        return html.replace("<code>", "`").replace("</code>", "`")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    public static void main(String[] args) throws IOException {
        Path root = args.length > 0 ? Path.of(args[0]) : Path.of("");
        write(root.resolve(PATH));
    }

    static void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, markdown(), StandardCharsets.UTF_8);
    }
}
