package dev.eventstore.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The plugin archives `mvn package` builds (an integration test because it reads the build's
 * output): one directory, eventstore-connect/, holding the transform's jar with its service
 * manifest and no other jar (Connect provides connect-api, kafka-clients and SLF4J), the generated
 * configuration reference and the example configurations as they are in config/connect/. The
 * .tar.gz and the .zip hold the same files, and target/connect-plugins (the tests' and
 * docker-compose's plugin.path) holds them beside Debezium's archive.
 */
class PluginArchiveIT {

    private static final Path TARGET = Path.of("target").toAbsolutePath();

    @Test
    void archivesHoldTheTransformJarItsManifestDocsAndExamplesAndNothingElse() throws IOException {
        String version = buildProperties().getProperty("project.version");
        String jar = "eventstore-connect/eventstore-connect-" + version + ".jar";
        Map<String, byte[]> tar = readTarGz(TARGET.resolve("eventstore-connect-" + version + "-plugin.tar.gz"));
        Map<String, byte[]> zip = readZip(TARGET.resolve("eventstore-connect-" + version + "-plugin.zip"));

        assertThat(tar.keySet()).containsExactlyInAnyOrder(jar,
                "eventstore-connect/LICENSE",
                "eventstore-connect/NOTICE",
                "eventstore-connect/README.md",
                "eventstore-connect/doc/connect-transform-config.md",
                "eventstore-connect/etc/eventstore-source.json",
                "eventstore-connect/etc/eventstore-source-exactly-once.json",
                "eventstore-connect/etc/worker.properties",
                "eventstore-connect/etc/create-connector.sh");
        assertThat(zip.keySet()).isEqualTo(tar.keySet());
        tar.forEach((name, bytes) -> assertThat(zip.get(name)).as(name).isEqualTo(bytes));

        Path root = ConnectDeployment.repositoryRoot();
        for (String file : new String[] {"eventstore-source.json", "eventstore-source-exactly-once.json", "worker.properties",
                "create-connector.sh"}) {
            assertThat(tar.get("eventstore-connect/etc/" + file)).as(file)
                    .isEqualTo(Files.readAllBytes(root.resolve("config/connect").resolve(file)));
        }
        assertThat(tar.get("eventstore-connect/doc/connect-transform-config.md"))
                .isEqualTo(Files.readAllBytes(root.resolve("docs/connect-transform-config.md")));

        Path unpacked = ConnectDeployment.pluginPath().resolve(jar);
        assertThat(Files.readAllBytes(unpacked)).as("plugin.path holds the archive's jar").isEqualTo(tar.get(jar));
        try (JarFile jarFile = new JarFile(unpacked.toFile())) {
            String services = new String(jarFile.getInputStream(
                    jarFile.getEntry("META-INF/services/org.apache.kafka.connect.transforms.Transformation")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertThat(services.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")))
                    .containsExactly("dev.eventstore.connect.EventRecordTransform");
            assertThat(jarFile.getEntry("dev/eventstore/connect/EventRecordTransform.class")).isNotNull();
            assertThat(jarFile.getManifest().getMainAttributes().getValue("Implementation-Version")).isEqualTo(version);
        }
    }

    @Test
    void pluginPathHoldsDebeziumsOfficialArchiveBesideOurs() throws IOException {
        Path pluginPath = ConnectDeployment.pluginPath();
        String debezium = buildProperties().getProperty("debezium.version");
        try (Stream<Path> children = Files.list(pluginPath)) {
            assertThat(children.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("eventstore-connect", "debezium-connector-postgres");
        }
        assertThat(pluginPath.resolve("debezium-connector-postgres/debezium-connector-postgres-" + debezium + ".jar"))
                .isRegularFile();
        // What docker-compose.yml mounts from the build.
        assertThat(ConnectDeployment.repositoryRoot().resolve("connector/connect/target/connect-plugins").normalize())
                .isEqualTo(pluginPath.normalize());
    }

    static Properties buildProperties() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = PluginArchiveIT.class.getResourceAsStream("/eventstore-build.properties")) {
            properties.load(in);
        }
        return properties;
    }

    private static Map<String, byte[]> readZip(Path file) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (!entry.isDirectory()) {
                    files.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return files;
    }

    /** Regular files of a gzipped ustar/pax archive (pax extended headers skipped: our names are short). */
    private static Map<String, byte[]> readTarGz(Path file) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            byte[] header = new byte[512];
            for (int entries = 0; entries < 10_000; entries++) {
                if (in.readNBytes(header, 0, 512) < 512 || header[0] == 0) {
                    break;
                }
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                long size = Long.parseLong(field(header, 124, 12).trim(), 8);
                char type = (char) header[156];
                byte[] data = in.readNBytes((int) size);
                in.readNBytes((int) ((512 - size % 512) % 512));
                if (type == '0' || type == 0) {
                    files.put(prefix.isEmpty() ? name : prefix + "/" + name, data);
                }
            }
        }
        return files;
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
