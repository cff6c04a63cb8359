package dev.eventstore.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The container images, checked without Docker against what `mvn package` wrote: each build context
 * docker-compose.yml names holds a Dockerfile whose every COPY/ADD source exists in it, base images
 * pinned to a version, a non-root USER, a HEALTHCHECK; the bridge's image sizes the JVM from the
 * container's memory limit; the Connect image holds Debezium's and our plugin archives of this build.
 */
class DockerImagesIT {

    private static final String VERSION = Release.VERSION;

    private static Path context(String name) {
        return Dockerfiles.DOCKER.resolve(name);
    }

    @Test
    void everyBuildContextOfTheComposeFileHoldsItsDockerfileAndEverySourceItCopies() throws IOException {
        JsonNode services = new ObjectMapper(new YAMLFactory())
                .readTree(Release.REPOSITORY.resolve("docker-compose.yml").toFile()).path("services");
        List<String> built = new ArrayList<>();
        services.properties().forEach(service -> {
            if (service.getValue().has("build")) {
                built.add(service.getKey());
                Path context = Release.REPOSITORY.resolve(service.getValue().path("build").asText()).normalize();
                assertThat(context).as(service.getKey() + " build context").startsWith(Dockerfiles.DOCKER);
                assertThat(context.resolve("Dockerfile")).as(service.getKey()).isRegularFile();
                assertThat(service.getValue().path("image").asText()).as(service.getKey()).endsWith(":" + VERSION);
            }
        });
        assertThat(built).containsExactlyInAnyOrder("migrate", "connect", "bridge");

        for (String name : new String[] {"eventstore", "connect"}) {
            List<Dockerfiles.Instruction> file = Dockerfiles.parse(context(name).resolve("Dockerfile"));
            assertThat(Files.readString(context(name).resolve("Dockerfile"))).as(name + ": every @property@ filled in")
                    .doesNotContainPattern("@[a-z.]+@");
            for (Dockerfiles.Instruction copy : file) {
                if (!copy.keyword().equals("COPY") && !copy.keyword().equals("ADD")) {
                    continue;
                }
                List<String> words = new ArrayList<>(List.of(copy.arguments().split("\\s+")));
                words.removeIf(w -> w.startsWith("--"));
                assertThat(words).as(copy.toString()).hasSizeGreaterThanOrEqualTo(2);
                for (String source : words.subList(0, words.size() - 1)) {
                    assertThat(context(name).resolve(source)).as(name + ": " + copy).isRegularFile();
                }
            }
            assertThat(Dockerfiles.all(file, "COPY").size() + Dockerfiles.all(file, "ADD").size()).as(name).isPositive();
        }
    }

    @Test
    void baseImagesArePinnedUsersAreNotRootAndEveryImageHasAHealthCheck() throws IOException {
        for (String name : new String[] {"eventstore", "connect"}) {
            List<Dockerfiles.Instruction> file = Dockerfiles.parse(context(name).resolve("Dockerfile"));
            List<Dockerfiles.Instruction> from = Dockerfiles.all(file, "FROM");
            assertThat(from).as(name).hasSize(1);
            String image = from.get(0).arguments().split("\\s+")[0];
            assertThat(image).as(name + " base image").contains(":").doesNotContain("@sha256");
            String tag = image.substring(image.lastIndexOf(':') + 1);
            assertThat(tag).as(name + " base image tag").isNotEqualToIgnoringCase("latest").matches("\\d+(\\.\\d+)+.*");

            List<Dockerfiles.Instruction> users = Dockerfiles.all(file, "USER");
            assertThat(users).as(name + " USER").isNotEmpty();
            String user = users.get(users.size() - 1).arguments().split(":")[0];
            assertThat(user).as(name + " runs as").isNotIn("root", "0");
            assertThat(file.indexOf(users.get(users.size() - 1))).as(name + ": USER after the last RUN")
                    .isGreaterThan(lastIndex(file, "RUN"));

            List<Dockerfiles.Instruction> health = Dockerfiles.all(file, "HEALTHCHECK");
            assertThat(health).as(name + " HEALTHCHECK").hasSize(1);
            assertThat(health.get(0).arguments()).doesNotStartWith("NONE");
            assertThat(Dockerfiles.healthCheckCommand(file)).as(name).isNotEmpty();
        }
    }

    @Test
    void bridgeImageIsTheReleaseArchiveOnJava17WithMemoryFromTheContainerLimit() throws IOException {
        List<Dockerfiles.Instruction> file = Dockerfiles.parse(context("eventstore").resolve("Dockerfile"));
        assertThat(Dockerfiles.all(file, "FROM").get(0).arguments()).matches("eclipse-temurin:17\\.[0-9._]+-jre");
        assertThat(Dockerfiles.all(file, "ADD")).extracting(Dockerfiles.Instruction::arguments)
                .containsExactly("eventstore-" + VERSION + ".tar.gz /opt/");
        assertThat(context("eventstore").resolve("eventstore-" + VERSION + ".tar.gz")).hasSameBinaryContentAs(Release.ARCHIVE);
        String env = String.join(" ", Dockerfiles.all(file, "ENV").stream().map(Dockerfiles.Instruction::arguments).toList());
        assertThat(env).contains("EVENTSTORE_JAVA_OPTS=\"-XX:MaxRAMPercentage=").doesNotContain("-Xmx")
                .contains("EVENTSTORE_HTTP_HOST=0.0.0.0", "EVENTSTORE_HTTP_PORT=8085");
        assertThat(Dockerfiles.all(file, "ENTRYPOINT").get(0).arguments()).isEqualTo("[\"/opt/eventstore/bin/eventstore\"]");
        assertThat(Dockerfiles.all(file, "CMD").get(0).arguments())
                .isEqualTo("[\"run\", \"--config\", \"/opt/eventstore/config/eventstore.properties\"]");
        assertThat(Dockerfiles.healthCheckCommand(file)).first().isEqualTo("bash");
    }

    @Test
    void connectImageHoldsDebeziumsAndOurPluginArchivesOfThisBuild() throws IOException {
        List<Dockerfiles.Instruction> file = Dockerfiles.parse(context("connect").resolve("Dockerfile"));
        String kafka = System.getProperty("eventstore.kafka.version");
        String debezium = System.getProperty("eventstore.debezium.version");
        assertThat(Dockerfiles.all(file, "FROM").get(0).arguments()).isEqualTo("apache/kafka:" + kafka);
        assertThat(Dockerfiles.all(file, "ADD")).extracting(Dockerfiles.Instruction::arguments).containsExactly(
                "debezium-connector-postgres-" + debezium + "-plugin.tar.gz /opt/connect-plugins/",
                "eventstore-connect-" + VERSION + "-plugin.tar.gz /opt/connect-plugins/");
        assertThat(context("connect").resolve("eventstore-connect-" + VERSION + "-plugin.tar.gz")).hasSameBinaryContentAs(
                Release.REPOSITORY.resolve("connector/connect/target/eventstore-connect-" + VERSION + "-plugin.tar.gz"));
        assertThat(Dockerfiles.all(file, "CMD").get(0).arguments()).contains("connect-distributed.sh");
    }

    @Test
    void confluentHubArchiveHasTheLayoutConfluentHubInstallTakes() throws IOException {
        Path zip = Release.REPOSITORY.resolve("connector/connect/target/eventstore-eventstore-connect-" + VERSION + ".zip");
        String base = "eventstore-eventstore-connect-" + VERSION + "/";
        Map<String, byte[]> files = new java.util.TreeMap<>();
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (!entry.isDirectory()) {
                    files.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        assertThat(files.keySet()).allMatch(n -> n.startsWith(base)).contains(base + "manifest.json",
                base + "lib/eventstore-connect-" + VERSION + ".jar", base + "doc/README.md", base + "doc/LICENSE",
                base + "doc/NOTICE", base + "etc/eventstore-source.json", base + "etc/worker.properties");
        assertThat(files.keySet()).filteredOn(n -> n.startsWith(base + "lib/")).hasSize(1);
        assertThat(files.get(base + "doc/LICENSE")).isEqualTo(Files.readAllBytes(Release.REPOSITORY.resolve("LICENSE")));
        JsonNode manifest = new ObjectMapper().readTree(files.get(base + "manifest.json"));
        assertThat(manifest.path("name").asText()).isEqualTo("eventstore-connect");
        assertThat(manifest.path("version").asText()).isEqualTo(VERSION);
        assertThat(manifest.path("owner").path("username").asText()).isEqualTo("eventstore");
        assertThat(manifest.path("component_types").toString()).isEqualTo("[\"transform\"]");
        assertThat(manifest.path("license").get(0).path("name").asText()).isEqualTo("Apache License 2.0");
        assertThat(manifest.path("requirements").toString()).contains("Kafka Connect " + System.getProperty("eventstore.kafka.version"));
        assertThat(files).containsKey(base + manifest.path("documentation_url").asText());
    }

    private static int lastIndex(List<Dockerfiles.Instruction> file, String keyword) {
        for (int i = file.size() - 1; i >= 0; i--) {
            if (file.get(i).keyword().equals(keyword)) {
                return i;
            }
        }
        return -1;
    }
}
