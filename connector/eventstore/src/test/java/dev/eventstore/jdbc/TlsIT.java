package dev.eventstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.embedded.EmbeddedPostgresServer;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to PostgreSQL: a certificate authority and a server certificate for "localhost" made in
 * the test (with the JDK's keytool), a PostgreSQL with ssl=on, and the driver's verify-full mode:
 * the right host name connects encrypted; a name the certificate does not carry is refused.
 */
class TlsIT {

    private static final String STORE_PASSWORD = "changeit";

    @TempDir
    static Path directory;

    private static EmbeddedPostgresServer server;
    private static Path rootCertificate;

    @BeforeAll
    static void startServerWithTls() throws Exception {
        Path ca = directory.resolve("ca.p12");
        Path serverStore = directory.resolve("server.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=eventstore test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-validity", "2", "-keystore", serverStore.toString());
        Path request = directory.resolve("server.csr");
        keytool("-certreq", "-alias", "server", "-keystore", serverStore.toString(), "-file", request.toString());
        Path certificate = directory.resolve("server.crt");
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-infile", request.toString(),
                "-outfile", certificate.toString(), "-rfc", "-validity", "2", "-ext", "SAN=dns:localhost");
        rootCertificate = directory.resolve("root.crt");
        keytool("-exportcert", "-alias", "ca", "-keystore", ca.toString(), "-rfc", "-file", rootCertificate.toString());

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(serverStore.toFile())) {
            store.load(in, STORE_PASSWORD.toCharArray());
        }
        Key key = store.getKey("server", STORE_PASSWORD.toCharArray());
        Path keyFile = directory.resolve("server.key");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));

        server = EmbeddedPostgresServer.start(null, Map.of(
                "ssl", "on",
                "ssl_cert_file", certificate.toString(),
                "ssl_key_file", keyFile.toString()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-noprompt"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool " + String.join(" ", args) + ": " + output).isZero();
    }

    private static String url(String host) {
        return "jdbc:postgresql://" + host + ":" + server.port() + "/postgres?sslmode=verify-full&sslrootcert=" + rootCertificate;
    }

    @Test
    void verifyFullConnectsEncryptedToTheCertifiedHostName() throws Exception {
        ConnectionSettings settings = new ConnectionSettings(url("localhost"), EmbeddedPostgresServer.SUPERUSER, null);
        try (Connection connection = settings.dataSource().getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean("ssl")).isTrue();
            assertThat(rs.getString("version")).startsWith("TLSv1.");
        }
    }

    @Test
    void verifyFullRefusesAHostNameTheCertificateDoesNotCarry() {
        ConnectionSettings settings = new ConnectionSettings(url("127.0.0.1"), EmbeddedPostgresServer.SUPERUSER, null);
        assertThatThrownBy(() -> settings.dataSource().getConnection().close())
                .satisfies(e -> assertThat(PostgresErrors.describe(e))
                        .startsWith("cannot reach PostgreSQL: ")
                        .containsIgnoringCase("host"));
    }

    @Test
    void anUntrustedCertificateAuthorityIsRefused() throws Exception {
        Path stranger = directory.resolve("stranger.crt");
        Files.writeString(stranger, Files.readString(rootCertificate).replace("A", "B"));
        ConnectionSettings settings = new ConnectionSettings(
                "jdbc:postgresql://localhost:" + server.port() + "/postgres?sslmode=verify-full&sslrootcert=" + stranger,
                EmbeddedPostgresServer.SUPERUSER, null);
        assertThatThrownBy(() -> settings.dataSource().getConnection().close()).isInstanceOf(java.sql.SQLException.class);
    }
}
