package dev.eventstore.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL runs with the settings change data capture needs, on loopback only, on
 * the free port it reports. Checked over JDBC against a server started as the {@code dev} command
 * starts it (a data directory, no extra settings).
 */
class EmbeddedPostgresServerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path directory;

    private static EmbeddedPostgresServer server;

    @BeforeAll
    static void start() {
        server = EmbeddedPostgresServer.start(directory.resolve("postgres"), Map.of());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String show(EmbeddedPostgresServer on, String setting) throws SQLException {
        return query(on, "SHOW " + setting);
    }

    private static String query(EmbeddedPostgresServer on, String sql) throws SQLException {
        try (Connection connection = on.connect(EmbeddedPostgresServer.DEFAULT_DATABASE);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).as(sql).isTrue();
            return rows.getString(1);
        }
    }

    @Test
    void runsWithTheSettingsChangeDataCaptureNeeds() throws SQLException {
        assertThat(show(server, "wal_level")).isEqualTo("logical");
        assertThat(show(server, "synchronous_commit")).isEqualTo("on");

        Map<String, String> configured = EmbeddedPostgresServer.cdcSettings();
        int slots = Integer.parseInt(configured.get("max_replication_slots"));
        int senders = Integer.parseInt(configured.get("max_wal_senders"));
        assertThat(slots).isPositive();
        assertThat(Integer.parseInt(show(server, "max_replication_slots"))).isGreaterThanOrEqualTo(slots);
        assertThat(Integer.parseInt(show(server, "max_wal_senders"))).isGreaterThanOrEqualTo(senders);
    }

    @Test
    void listensOnLoopbackOnly() throws SQLException {
        assertThat(show(server, "listen_addresses")).isIn("127.0.0.1", "localhost");
        assertThat(query(server, "SELECT host(inet_server_addr())")).isEqualTo("127.0.0.1");

        // Nothing answers on the port at any other address of this machine.
        for (InetAddress address : nonLoopbackIpv4Addresses()) {
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address, server.port()), 2_000);
                }
            }).as("port %d on %s", server.port(), address).isInstanceOf(IOException.class);
        }
    }

    @Test
    void listensOnThePortItReports() throws SQLException {
        int port = server.port();
        assertThat(port).isBetween(1, 65535);
        assertThat(server.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
        assertThat(Integer.parseInt(show(server, "port"))).isEqualTo(port);
        assertThat(Integer.parseInt(query(server, "SELECT inet_server_port()"))).isEqualTo(port);
        assertThat(canBind(port)).as("the server holds port %d", port).isFalse();
    }

    @Test
    void picksAFreePortAndGivesItBack() throws SQLException {
        int port;
        try (EmbeddedPostgresServer second = EmbeddedPostgresServer.start()) {
            port = second.port();
            assertThat(port).as("a port nobody else holds").isNotEqualTo(server.port());
            assertThat(Integer.parseInt(show(second, "port"))).isEqualTo(port);
            assertThat(canBind(port)).isFalse();
        }
        // Nothing but that server held the port: once it stops, the port is free again.
        await().atMost(TIMEOUT).until(() -> canBind(port));
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<InetAddress> nonLoopbackIpv4Addresses() {
        try {
            return NetworkInterface.networkInterfaces()
                    .filter(EmbeddedPostgresServerIT::isUp)
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError("cannot list network interfaces", e);
        }
    }

    private static boolean isUp(NetworkInterface networkInterface) {
        try {
            return networkInterface.isUp();
        } catch (IOException e) {
            return false;
        }
    }
}
