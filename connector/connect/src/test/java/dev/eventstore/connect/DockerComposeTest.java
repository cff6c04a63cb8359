package dev.eventstore.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, checked without Docker: pinned images (Kafka's tag is the Kafka version this
 * build uses; ours are built from the release archives, tagged with this build's version), no source
 * tree mounted, the bridge and Connect logging in as the least-privilege login roles, a health check
 * on every long-running service, the connector configuration it creates is the one in
 * {@code config/connect/}, environment names the code reads, PostgreSQL with {@code wal_level=logical},
 * and the host names and ports of the configuration files match its services. The Dockerfiles and the
 * build contexts `mvn package` writes are checked by the distribution module's DockerImagesIT.
 */
class DockerComposeTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();
    /** Build contexts that `mvn package` writes, checked to exist by DockerImagesIT after the build. */
    static final Map<String, String> BUILD_CONTEXTS = Map.of(
            "migrate", "connector/distribution/target/docker/eventstore",
            "bridge", "connector/distribution/target/docker/eventstore",
            "connect", "connector/distribution/target/docker/connect");

    private final JsonNode compose = read();
    private final JsonNode services = compose.path("services");
    private final Properties build = buildProperties();

    private static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Properties buildProperties() {
        Properties properties = new Properties();
        try (InputStream in = DockerComposeTest.class.getResourceAsStream("/eventstore-build.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    @Test
    void composeHasTheServicesOfBothDeployments() {
        assertThat(names(services)).containsExactlyInAnyOrder("postgres", "migrate", "logins", "kafka", "connect",
                "connect-setup", "mirror", "bridge");
        assertThat(profiles("connect")).containsExactly("connect");
        assertThat(profiles("mirror")).containsExactly("connect");
        assertThat(profiles("connect-setup")).containsExactly("connect");
        assertThat(profiles("bridge")).containsExactly("bridge");
        assertThat(profiles("postgres")).isEmpty();
        assertThat(profiles("kafka")).isEmpty();
        assertThat(profiles("migrate")).isEmpty();
        assertThat(profiles("logins")).isEmpty();
    }

    @Test
    void everyImageIsPinnedAndKafkaIsTheVersionThisBuildUses() {
        String kafka = build.getProperty("kafka.version");
        assertThat(kafka).as("filtered from the pom").matches("\\d+\\.\\d+\\.\\d+");
        services.properties().forEach(service -> {
            String image = service.getValue().path("image").asText();
            assertThat(image).as(service.getKey() + " image").isNotEmpty().contains(":");
            String tag = image.substring(image.lastIndexOf(':') + 1);
            assertThat(tag).as(service.getKey() + " tag").isNotEqualToIgnoringCase("latest")
                    .matches("\\d+(\\.\\d+)+.*");
            if (image.startsWith("apache/kafka:")) {
                assertThat(tag).as(service.getKey() + ": the Kafka version of the pom").isEqualTo(kafka);
            }
        });
        assertThat(image("kafka")).isEqualTo("apache/kafka:" + kafka);
        // The PostgreSQL the tests run (zonky's binaries), major and minor.
        String[] postgres = build.getProperty("postgres.binaries.version").split("\\.");
        assertThat(image("postgres")).isEqualTo("postgres:" + postgres[0] + "." + postgres[1]);
        assertThat(image("logins")).isEqualTo(image("postgres"));
        // Ours: built from this build's archives and tagged with its version.
        String version = build.getProperty("project.version");
        assertThat(image("migrate")).isEqualTo("eventstore:" + version).isEqualTo(image("bridge")).isEqualTo(image("mirror"));
        assertThat(image("connect")).isEqualTo("eventstore-connect:" + version);
        BUILD_CONTEXTS.forEach((service, context) ->
                assertThat(services.path(service).path("build").asText()).as(service + " build").isEqualTo("./" + context));
        services.properties().forEach(service -> {
            if (!BUILD_CONTEXTS.containsKey(service.getKey())) {
                assertThat(service.getValue().has("build")).as(service.getKey() + " is built").isFalse();
            }
        });
    }

    @Test
    void noSourceTreeIsMountedOnlyConfiguration() {
        services.properties().forEach(service -> mounts(service.getKey()).forEach((target, source) ->
                assertThat(ROOT.relativize(source).toString().replace('\\', '/')).as(service.getKey() + " mounts " + source)
                        .matches("config(/.*)?")));
        assertThat(mounts("bridge")).isEqualTo(Map.of("/config", ROOT.resolve("config")));
        assertThat(mounts("connect")).isEqualTo(Map.of("/etc/eventstore/connect", ROOT.resolve("config/connect")));
        assertThat(mounts("migrate")).isEmpty();
    }

    @Test
    void everyLongRunningServiceHasAHealthCheck() {
        Set<String> oneShots = new TreeSet<>();
        services.properties().forEach(service -> {
            JsonNode definition = service.getValue();
            if (definition.path("restart").asText().equals("no")) {
                oneShots.add(service.getKey());
                return;
            }
            JsonNode healthcheck = definition.path("healthcheck");
            assertThat(healthcheck.path("disable").asBoolean(false)).as(service.getKey()).isFalse();
            assertThat(strings(healthcheck.path("test"))).as(service.getKey() + " health check").isNotEmpty()
                    .first().isIn("CMD", "CMD-SHELL");
        });
        assertThat(oneShots).containsExactlyInAnyOrder("migrate", "logins", "connect-setup");
        // The bridge's and the mirror's: /health/ready, answered 200 only while each does its work.
        assertThat(String.join(" ", strings(services.path("bridge").path("healthcheck").path("test"))))
                .contains("/dev/tcp/127.0.0.1/8085", "GET /health/ready", "= 200");
        assertThat(String.join(" ", strings(services.path("mirror").path("healthcheck").path("test"))))
                .contains("/dev/tcp/127.0.0.1/8085", "GET /health/ready", "= 200");
        assertThat(strings(services.path("mirror").path("command"))).containsExactly("mirror", "--config",
                "/config/eventstore.properties");
        assertThat(String.join(" ", strings(services.path("connect").path("healthcheck").path("test"))))
                .contains("http://localhost:8083/health");
    }

    @Test
    void bridgeAndConnectLogInAsLeastPrivilegeRolesNotTheOwner() {
        assertThat(env("mirror")).containsEntry("EVENTSTORE_DB_USER", "eventstore_bridge")
                .containsEntry("EVENTSTORE_DB_PASSWORD", "${EVENTSTORE_BRIDGE_DB_PASSWORD}");
        assertThat(env("bridge")).containsEntry("EVENTSTORE_DB_USER", "eventstore_bridge")
                .containsEntry("EVENTSTORE_DB_PASSWORD", "${EVENTSTORE_BRIDGE_DB_PASSWORD}");
        assertThat(env("connect")).containsEntry("EVENTSTORE_DB_USER", "eventstore_connect")
                .containsEntry("EVENTSTORE_DB_PASSWORD", "${EVENTSTORE_CONNECT_DB_PASSWORD}");
        // The owner (the image's superuser) runs only the one-shot migrate and logins.
        assertThat(env("migrate")).containsEntry("EVENTSTORE_DB_USER", "${EVENTSTORE_DB_USER}");
        assertThat(env("logins")).containsEntry("PGUSER", "${EVENTSTORE_DB_USER}");
        services.properties().forEach(service -> {
            if (!Set.of("postgres", "migrate", "logins").contains(service.getKey())) {
                assertThat(env(service.getKey()).values()).as(service.getKey())
                        .noneMatch(v -> v.contains("${EVENTSTORE_DB_USER") || v.contains("${EVENTSTORE_DB_PASSWORD"));
            }
        });
        // logins creates both in the group role the migrations grant the bridge's privileges
        // (migrations/R__3_grants.sql: <schema>_cdc), with REPLICATION.
        String script = String.join("\n", strings(services.path("logins").path("command")));
        assertThat(script).contains("CREATE ROLE %I LOGIN REPLICATION IN ROLE eventstore_cdc",
                "('eventstore_bridge'), ('eventstore_connect')", "ALTER ROLE eventstore_bridge PASSWORD :'bridge_password'",
                "ALTER ROLE eventstore_connect PASSWORD :'connect_password'", "ON_ERROR_STOP=1");
        assertThat(strings(services.path("logins").path("entrypoint"))).containsExactly("/bin/sh", "-c");
        assertThat(services.path("logins").path("depends_on").path("migrate").path("condition").asText())
                .isEqualTo("service_completed_successfully");
        for (String service : new String[] {"bridge", "connect"}) {
            assertThat(services.path(service).path("depends_on").path("logins").path("condition").asText()).as(service)
                    .isEqualTo("service_completed_successfully");
        }
    }

    @Test
    void postgresRunsWithLogicalDecoding() {
        List<String> command = strings(services.path("postgres").path("command"));
        assertThat(command).first().isEqualTo("postgres");
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 1; i < command.size(); i++) {
            if (command.get(i).equals("-c")) {
                String[] setting = command.get(++i).split("=", 2);
                settings.put(setting[0], setting[1]);
            }
        }
        assertThat(settings).containsEntry("wal_level", "logical").containsKeys("max_replication_slots", "max_wal_senders");
        assertThat(env("postgres")).containsEntry("POSTGRES_DB", "eventstore");
    }

    @Test
    void everyMountedFileExists() {
        services.properties().forEach(service -> mounts(service.getKey()).forEach((target, source) ->
                assertThat(source).as(service.getKey() + " mounts " + source).exists()));
    }

    @Test
    void everyFileACommandNamesExistsAndTheConnectorItCreatesIsTheOneInConfig() {
        services.properties().forEach(service -> {
            String name = service.getKey();
            List<String> words = new ArrayList<>(strings(service.getValue().path("entrypoint")));
            words.addAll(strings(service.getValue().path("command")));
            for (String word : words) {
                hostPath(name, word).ifPresent(host -> assertThat(host).as(name + " runs with " + word).exists());
            }
        });
        assertThat(hostPath("connect", "/etc/eventstore/connect/worker.properties"))
                .contains(ROOT.resolve("config/connect/worker.properties"));
        assertThat(strings(services.path("connect").path("command"))).contains("/etc/eventstore/connect/worker.properties");
        List<String> setup = strings(services.path("connect-setup").path("command"));
        assertThat(setup).hasSize(1);
        assertThat(hostPath("connect-setup", setup.get(0))).contains(ROOT.resolve("config/connect/eventstore-source.json"));
        assertThat(hostPath("connect-setup", strings(services.path("connect-setup").path("entrypoint")).get(1)))
                .contains(ROOT.resolve("config/connect/create-connector.sh"));
        // The image's entrypoint is bin/eventstore: the commands are its arguments.
        assertThat(strings(services.path("migrate").path("command"))).containsExactly("migrate");
        assertThat(strings(services.path("bridge").path("command")))
                .containsExactly("run", "--config", "/config/eventstore.properties");
        assertThat(hostPath("bridge", "/config/eventstore.properties")).contains(ROOT.resolve("config/eventstore.properties"));
    }

    @Test
    void connectWorkerGetsThePluginPathOfItsConfigurationWithBothPlugins() throws IOException {
        Properties worker = ConnectorConfigFilesTest.worker();
        // The Connect image unpacks both plugin archives into the worker's plugin.path.
        String dockerfile = Files.readString(ROOT.resolve("connector/distribution/src/docker/connect/Dockerfile"),
                StandardCharsets.UTF_8);
        String pluginPath = worker.getProperty("plugin.path");
        assertThat(dockerfile).contains("ADD debezium-connector-postgres-@debezium.version@-plugin.tar.gz " + pluginPath + "/",
                "ADD eventstore-connect-@project.version@-plugin.tar.gz " + pluginPath + "/");
        assertThat(mounts("connect")).doesNotContainKey(pluginPath);
        assertThat(worker.getProperty("bootstrap.servers")).isEqualTo("kafka:9092");
        assertThat(env("kafka").get("KAFKA_ADVERTISED_LISTENERS")).contains("PLAINTEXT://kafka:9092");
        assertThat(worker.getProperty("rest.advertised.host.name")).isEqualTo("connect");
        assertThat(env("connect-setup")).containsEntry("CONNECT_URL", "http://connect:" + worker.getProperty("rest.advertised.port"));
        // The pom unpacks both archives into that directory (maven-dependency-plugin, package phase).
        String pom = Files.readString(ROOT.resolve("connector/connect/pom.xml"), StandardCharsets.UTF_8);
        assertThat(pom).contains("<connect.plugins.directory>${project.build.directory}/connect-plugins</connect.plugins.directory>",
                "<artifactId>debezium-connector-postgres</artifactId>");
    }

    @Test
    void connectorReachesTheComposeDatabase() throws IOException {
        for (String file : new String[] {"config/connect/eventstore-source.json", "config/connect/eventstore-source-exactly-once.json"}) {
            Map<String, String> connector = ConnectorConfigFilesTest.connector(file);
            assertThat(names(services)).contains(connector.get("database.hostname"));
            assertThat(connector.get("database.hostname")).isEqualTo("postgres");
            assertThat(connector.get("database.port")).isEqualTo("5432");
            assertThat(connector.get("database.dbname")).isEqualTo(env("postgres").get("POSTGRES_DB"));
        }
        for (String service : new String[] {"migrate", "bridge"}) {
            assertThat(env(service)).containsEntry("EVENTSTORE_DB_URL", "jdbc:postgresql://postgres:5432/eventstore")
                    .containsEntry("EVENTSTORE_SCHEMA", "eventstore");
        }
        assertThat(env("bridge")).containsEntry("EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
    }

    @Test
    void environmentNamesAreOnesTheCodeReads() throws IOException {
        // The connector reads exactly these through the worker's EnvVarConfigProvider.
        Set<String> connectorReads = new TreeSet<>();
        for (String file : new String[] {"config/connect/eventstore-source.json", "config/connect/eventstore-source-exactly-once.json"}) {
            Matcher m = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)}").matcher(Files.readString(ROOT.resolve(file)));
            while (m.find()) {
                connectorReads.add(m.group(1));
            }
        }
        assertThat(connectorReads).containsExactlyInAnyOrder("EVENTSTORE_DB_USER", "EVENTSTORE_DB_PASSWORD");
        assertThat(eventstoreNames("connect")).isEqualTo(connectorReads);
        assertThat(env("connect").keySet()).allMatch(n -> n.startsWith("EVENTSTORE_") || Set.of("KAFKA_HEAP_OPTS", "LOG_DIR").contains(n));

        // Our command line: a name it reads literally, or EVENTSTORE_ + a key of the bridge's
        // configuration (config/eventstore.properties is generated from BridgeConfig's ConfigDef).
        Set<String> literals = codeLiterals();
        Set<String> bridgeKeys = bridgeConfigKeys();
        for (String service : new String[] {"migrate", "bridge"}) {
            assertThat(env(service).keySet()).as(service).allMatch(n -> n.startsWith("EVENTSTORE_"));
            for (String name : env(service).keySet()) {
                String key = name.substring("EVENTSTORE_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
                assertThat(literals.contains(name) || bridgeKeys.contains(key))
                        .as(service + " sets " + name + ", which the code does not read").isTrue();
            }
        }
        assertThat(env("bridge")).containsKeys("EVENTSTORE_DB_URL", "EVENTSTORE_DB_USER", "EVENTSTORE_DB_PASSWORD",
                "EVENTSTORE_SCHEMA", "EVENTSTORE_KAFKA_BOOTSTRAP_SERVERS", "EVENTSTORE_TOPIC_PREFIX");
        assertThat(env("postgres").keySet()).allMatch(n -> n.startsWith("POSTGRES_"));
        assertThat(env("kafka").keySet()).allMatch(n -> n.startsWith("KAFKA_") || n.equals("CLUSTER_ID"));
    }

    @Test
    void everyVariableTheFileInterpolatesIsInTheEnvExample() throws IOException {
        // Comments are not interpolated by Compose.
        String text = Files.readAllLines(ROOT.resolve("docker-compose.yml"), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.trim().startsWith("#")).reduce("", (a, b) -> a + b + "\n");
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)").matcher(text);
        while (m.find()) {
            used.add(m.group(1));
        }
        Properties example = new Properties();
        try (InputStream in = Files.newInputStream(ROOT.resolve(".env.example"))) {
            example.load(in);
        }
        assertThat(used).isNotEmpty();
        assertThat(example.stringPropertyNames()).containsAll(used);
        assertThat(example.getProperty("COMPOSE_PROFILES")).isIn("connect", "bridge");
        // Secrets are interpolated from .env, never written into the compose file.
        services.properties().forEach(service -> env(service.getKey()).forEach((name, value) -> {
            if (name.contains("PASSWORD")) {
                assertThat(value).as(service.getKey() + " " + name).matches("\\$\\{[A-Z_]+(:\\?[^}]*)?}");
            }
        }));
    }

    // ---- helpers

    private String image(String service) {
        return services.path(service).path("image").asText();
    }

    private List<String> profiles(String service) {
        return strings(services.path(service).path("profiles"));
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> values.add(n.asText()));
        } else if (node.isTextual()) {
            values.addAll(List.of(node.asText().trim().split("\\s+")));
        }
        return values;
    }

    private Map<String, String> env(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode node = services.path(service).path("environment");
        if (node.isObject()) {
            node.properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        } else if (node.isArray()) {
            node.forEach(e -> {
                String[] pair = e.asText().split("=", 2);
                env.put(pair[0], pair.length > 1 ? pair[1] : "");
            });
        }
        return env;
    }

    private Set<String> eventstoreNames(String service) {
        Set<String> names = new TreeSet<>();
        env(service).keySet().stream().filter(n -> n.startsWith("EVENTSTORE_")).forEach(names::add);
        return names;
    }

    /** Bind mounts of a service: container path to host path (named volumes are left out). */
    private Map<String, Path> mounts(String service) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        services.path(service).path("volumes").forEach(volume -> {
            String[] parts = volume.asText().split(":");
            if (parts[0].startsWith(".") || parts[0].startsWith("/")) {
                mounts.put(parts[1], ROOT.resolve(parts[0]).normalize());
            }
        });
        return mounts;
    }

    /** Where a path a service's command names lies on the host, when it lies in one of its bind mounts. */
    private Optional<Path> hostPath(String service, String word) {
        if (word.startsWith("-") || word.contains("=") || word.contains(" ")) {
            return Optional.empty();
        }
        String container = word.startsWith("/") ? word
                : word.contains("/") ? services.path(service).path("working_dir").asText("/") + "/" + word : null;
        if (container == null) {
            return Optional.empty();
        }
        String best = null;
        for (String target : mounts(service).keySet()) {
            String prefix = target.endsWith("/") ? target : target + "/";
            if ((container.equals(target) || container.startsWith(prefix)) && (best == null || target.length() > best.length())) {
                best = target;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        String rest = container.substring(best.length()).replaceFirst("^/", "");
        return Optional.of(mounts(service).get(best).resolve(rest).normalize());
    }

    /** String literals of the command line's and library's main sources. */
    private static Set<String> codeLiterals() throws IOException {
        Set<String> literals = new TreeSet<>();
        Pattern literal = Pattern.compile("\"(EVENTSTORE_[A-Z0-9_]+)\"");
        for (String module : new String[] {"connector/bridge/src/main/java", "connector/cli/src/main/java",
                "connector/eventstore/src/main/java"}) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = literal.matcher(Files.readString(file, StandardCharsets.UTF_8));
                    while (m.find()) {
                        literals.add(m.group(1));
                    }
                }
            }
        }
        return literals;
    }

    /** The keys of config/eventstore.properties, set or commented out (the file lists every key). */
    private static Set<String> bridgeConfigKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        for (String line : Files.readAllLines(ROOT.resolve("config/eventstore.properties"), StandardCharsets.UTF_8)) {
            Matcher m = Pattern.compile("^#?([a-z][a-z0-9.\\-]*)=").matcher(line);
            if (m.find()) {
                keys.add(m.group(1));
            }
        }
        return keys;
    }
}
