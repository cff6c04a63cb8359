package dev.eventstore.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The bridge's configuration reference ({@code docs/bridge-config.md}) and its example settings
 * file ({@code config/eventstore.properties}), both generated from {@link BridgeConfig#CONFIG_DEF}
 * so that nothing is written twice. {@link BridgeConfigDocsTest} fails when a committed file is
 * not this output; regenerate with
 * {@code mvn -B -pl connector/bridge test -Dtest=BridgeConfigDocsTest -Deventstore.docs.regenerate=true}.
 */
final class BridgeConfigDocs {

    static final String REFERENCE = "docs/bridge-config.md";
    static final String EXAMPLE = "config/eventstore.properties";

    /** Values the example file sets (the required keys, for a typical local deployment). */
    private static final Map<String, String> EXAMPLE_VALUES = Map.of(
            BridgeConfig.Key.DB_URL, "jdbc:postgresql://localhost:5432/eventstore",
            BridgeConfig.Key.DB_USER, "eventstore_bridge",
            BridgeConfig.Key.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");

    private BridgeConfigDocs() {
    }

    static String reference() {
        StringBuilder out = new StringBuilder();
        out.append("<!-- Generated from BridgeConfig.CONFIG_DEF by BridgeConfigDocs (connector/bridge tests). Do not edit:\n")
                .append("     mvn -B -pl connector/bridge test -Dtest=BridgeConfigDocsTest -Deventstore.docs.regenerate=true -->\n\n")
                .append("# Bridge configuration\n\n")
                .append("`bin/eventstore run --config FILE` (the bridge) and `bin/eventstore mirror --config FILE` (the offset\n")
                .append("mirror service) read these settings from a Java properties file (example: `config/eventstore.properties`).\n")
                .append("Each can be overridden by an environment variable: `EVENTSTORE_`\n")
                .append("and the key in upper case with dots and dashes as underscores. Other `kafka.*` keys (or\n")
                .append("`EVENTSTORE_KAFKA_*` variables) pass to the Kafka producer and admin clients without the prefix,\n")
                .append("for TLS and SASL: `kafka.security.protocol=SASL_SSL`, `kafka.ssl.truststore.location=...`,\n")
                .append("`kafka.sasl.mechanism=SCRAM-SHA-512`, `kafka.sasl.jaas.config=...`. Passwords print as `[hidden]`.\n\n")
                .append("| Key | Environment variable | Type | Default | Valid values |\n|---|---|---|---|---|\n");
        for (ConfigDef.ConfigKey key : BridgeConfig.CONFIG_DEF.configKeys().values()) {
            out.append("| [`").append(key.name).append("`](#").append(key.name.replace(".", "")).append(") | `")
                    .append(BridgeConfig.environmentVariable(key.name)).append("` | ")
                    .append(key.type.name().toLowerCase()).append(" | ").append(defaultValue(key)).append(" | ")
                    .append(String.valueOf(key.validator == null ? "" : key.validator).replace("|", "\\|")).append(" |\n");
        }
        String group = null;
        for (ConfigDef.ConfigKey key : BridgeConfig.CONFIG_DEF.configKeys().values()) {
            if (!key.group.equals(group)) {
                group = key.group;
                out.append("\n## ").append(group).append("\n");
            }
            out.append("\n### `").append(key.name).append("`\n\n").append(text(key.documentation)).append("\n\n")
                    .append("- Environment variable: `").append(BridgeConfig.environmentVariable(key.name)).append("`\n")
                    .append("- Type: ").append(key.type.name().toLowerCase()).append("\n")
                    .append("- Default: ").append(defaultValue(key)).append("\n");
        }
        return out.toString();
    }

    static String exampleProperties() {
        StringBuilder out = new StringBuilder();
        out.append("# Settings of `bin/eventstore run --config config/eventstore.properties` (the bridge) and of\n")
                .append("# `bin/eventstore mirror --config config/eventstore.properties` (the offset mirror service).\n")
                .append("# Generated from BridgeConfig.CONFIG_DEF (see docs/bridge-config.md); do not edit by hand.\n")
                .append("# Every key can be overridden by EVENTSTORE_<KEY> in the environment; give the password that\n")
                .append("# way (EVENTSTORE_DB_PASSWORD), never in this file.\n");
        String group = null;
        for (ConfigDef.ConfigKey key : BridgeConfig.CONFIG_DEF.configKeys().values()) {
            if (!key.group.equals(group)) {
                group = key.group;
                out.append("\n# ---- ").append(group).append("\n");
            }
            out.append("\n");
            for (String line : wrap(text(key.documentation), 96)) {
                out.append("# ").append(line).append("\n");
            }
            String example = EXAMPLE_VALUES.get(key.name);
            if (example != null) {
                out.append(key.name).append("=").append(example).append("\n");
            } else {
                Object value = key.hasDefault() && key.type != ConfigDef.Type.PASSWORD ? key.defaultValue : "";
                if (value instanceof java.util.List<?> list) {
                    value = String.join(",", list.stream().map(String::valueOf).toList());
                }
                out.append("#").append(key.name).append("=").append(value == null ? "" : value).append("\n");
            }
        }
        return out.toString();
    }

    private static String defaultValue(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "(required)";
        }
        if (key.type == ConfigDef.Type.PASSWORD) {
            return "(none)";
        }
        return key.defaultValue == null || "".equals(key.defaultValue) ? "(none)" : "`" + key.defaultValue + "`";
    }

    private static String text(String html) {
        return html.replace("<code>", "`").replace("</code>", "`")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private static java.util.List<String> wrap(String text, int width) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    static void write(Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve(REFERENCE), reference(), StandardCharsets.UTF_8);
        Files.writeString(root.resolve(EXAMPLE), exampleProperties(), StandardCharsets.UTF_8);
    }
}
