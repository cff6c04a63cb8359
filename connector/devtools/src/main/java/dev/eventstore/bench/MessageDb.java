package dev.eventstore.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.eventstore.EventData;
import dev.eventstore.cli.Progress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * message-db (github.com/message-db/message-db), the peer: installed from the npm package
 * {@code @eventide/message-db} by its own {@code install.sh}, which runs psql against the
 * benchmark's server and creates its own database there. Used through its public functions
 * ({@code write_message}, {@code get_stream_messages}) over the same JDBC pool as ours.
 *
 * <p>Versions: message-db counts positions from 0 and calls the last position the stream's
 * version (-1: no stream); ours counts events (stream version n after n events). Here every
 * method takes and returns our numbering.
 */
final class MessageDb implements AutoCloseable {

    static final String PACKAGE = "@eventide/message-db";
    private static final Duration NPM_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(2);
    private static final Pattern STREAM_VERSION = Pattern.compile("Stream Version: (-?\\d+)");

    private final String unavailable;
    private final String version;
    private final HikariDataSource pool;

    private MessageDb(String unavailable, String version, HikariDataSource pool) {
        this.unavailable = unavailable;
        this.version = version;
        this.pool = pool;
    }

    /** Not installed, for {@code reason}; the peer rows say so. */
    static MessageDb unavailable(String reason) {
        return new MessageDb(reason, null, null);
    }

    /**
     * Installs message-db into its own database on the benchmark's server: npm fetches the
     * package into a temporary directory and its install.sh creates the database, schema, table,
     * indexes and functions through psql. Never throws: where npm, psql or the server refuse, the
     * result is unavailable with the reason in one line.
     */
    static MessageDb install(BenchServers servers, String npmVersion, int poolSize, Progress progress) {
        Path directory = null;
        try {
            for (String tool : List.of("npm", "psql", "createdb", "bash")) {
                if (!onPath(tool)) {
                    return unavailable("not run: " + tool + " is not on the PATH (message-db installs with npm and psql)");
                }
            }
            directory = Files.createTempDirectory("eventstore-bench-message-db-");
            progress.phase("installing message-db " + npmVersion + " from npm");
            String spec = PACKAGE + "@" + npmVersion;
            Result npm = run(List.of("npm", "install", "--prefix", directory.toString(), "--no-audit", "--no-fund",
                    "--no-save", "--loglevel=error", spec), directory, Map.of(), NPM_TIMEOUT);
            if (!npm.ok()) {
                return unavailable("not run: npm install " + spec + " failed: " + npm.lastLine());
            }
            Path script = directory.resolve("node_modules/@eventide/message-db/database/install.sh");
            if (!Files.isRegularFile(script)) {
                return unavailable("not run: " + spec + " has no database/install.sh");
            }
            servers.dropDatabase(BenchServers.MESSAGE_DB_DATABASE);
            progress.phase("running message-db's install.sh against the benchmark's PostgreSQL");
            Map<String, String> env = new java.util.HashMap<>(servers.libpqEnvironment());
            env.put("DATABASE_NAME", BenchServers.MESSAGE_DB_DATABASE);
            Result install = run(List.of("bash", script.toString()), directory, env, INSTALL_TIMEOUT);
            if (!install.ok()) {
                return unavailable("not run: message-db's install.sh failed: " + install.lastLine());
            }
            HikariDataSource pool = BenchServers.pool("message-db",
                    servers.database(BenchServers.MESSAGE_DB_DATABASE), poolSize, "message_store,public");
            String installed;
            try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(BenchSql.MESSAGE_DB_VERSION)) {
                rs.next();
                installed = rs.getString(1);
            } catch (SQLException e) {
                pool.close();
                return unavailable("not run: message-db installed but unusable: " + LoadRunner.describe(e));
            }
            return new MessageDb(null, installed, pool);
        } catch (IOException | SQLException | RuntimeException e) {
            return unavailable("not run: message-db could not be installed: " + LoadRunner.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("not run: interrupted while installing message-db");
        } finally {
            if (directory != null) {
                deleteQuietly(directory);
            }
        }
    }

    boolean available() {
        return unavailable == null;
    }

    /** Why it is not available, or {@code null}. */
    String unavailableReason() {
        return unavailable;
    }

    String version() {
        return version;
    }

    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** Empties the messages table between cases. */
    void truncate() throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(BenchSql.MESSAGE_DB_TRUNCATE);
        }
    }

    /**
     * Writes {@code events} to {@code stream} in one transaction, one {@code write_message} each,
     * as message-db's own clients write a batch; the first carries the expected version.
     *
     * @param expectedVersion our numbering: events already in the stream
     * @return the stream's version afterwards, our numbering
     */
    static long writeBatch(Connection connection, String stream, long expectedVersion, List<EventData> events)
            throws SQLException {
        connection.setAutoCommit(false);
        try (PreparedStatement statement = connection.prepareStatement(BenchSql.MESSAGE_DB_WRITE)) {
            long position = -1;
            for (int i = 0; i < events.size(); i++) {
                bind(statement, stream, events.get(i), i == 0 ? expectedVersion : null);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    position = rs.getLong(1);
                }
            }
            connection.commit();
            return position + 1;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** One message in its own transaction; returns the stream's version afterwards (our numbering). */
    static long write(Connection connection, String stream, Long expectedVersion, EventData event) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(BenchSql.MESSAGE_DB_WRITE)) {
            bind(statement, stream, event, expectedVersion);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1) + 1;
            }
        }
    }

    private static void bind(PreparedStatement statement, String stream, EventData event, Long expectedVersion)
            throws SQLException {
        statement.setString(1, UUID.randomUUID().toString());
        statement.setString(2, stream);
        statement.setString(3, event.eventType());
        statement.setString(4, event.data());
        statement.setString(5, event.metadata());
        if (expectedVersion == null) {
            statement.setNull(6, Types.BIGINT);
        } else {
            statement.setLong(6, expectedVersion - 1);
        }
    }

    /**
     * The stream version a wrong-expected-version error of write_message reports (our numbering),
     * or -1 if {@code e} is another error.
     */
    static long conflictVersion(SQLException e) {
        String message = e.getMessage();
        if (message == null || !message.contains("Wrong expected version")) {
            return -1;
        }
        Matcher m = STREAM_VERSION.matcher(message);
        return m.find() ? Long.parseLong(m.group(1)) + 1 : -1;
    }

    /** Fills {@code stream} from position {@code fromVersion} (our numbering) with {@code events}, directly. */
    void fill(String stream, long fromVersion, List<EventData> events) throws SQLException {
        try (Connection connection = pool.getConnection();
             PreparedStatement statement = connection.prepareStatement(BenchSql.MESSAGE_DB_FILL)) {
            int n = events.size();
            String[] types = new String[n];
            String[] data = new String[n];
            String[] metadata = new String[n];
            for (int i = 0; i < n; i++) {
                types[i] = events.get(i).eventType();
                data[i] = events.get(i).data();
                metadata[i] = events.get(i).metadata();
            }
            statement.setString(1, stream);
            statement.setLong(2, fromVersion - 1);
            statement.setArray(3, connection.createArrayOf("text", types));
            statement.setArray(4, connection.createArrayOf("text", data));
            statement.setArray(5, connection.createArrayOf("text", metadata));
            statement.executeUpdate();
        }
    }

    /** A message as read: what the harness deserialises. */
    record Message(String type, long position, String data) {
    }

    /** Up to {@code batchSize} messages of {@code stream} from {@code fromVersion} (our numbering). */
    static List<Message> read(Connection connection, String stream, long fromVersion, int batchSize) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(BenchSql.MESSAGE_DB_READ)) {
            statement.setString(1, stream);
            statement.setLong(2, fromVersion - 1);
            statement.setLong(3, batchSize);
            List<Message> messages = new ArrayList<>(batchSize);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    // Every column, as the library's reader maps its rows.
                    rs.getString(1);
                    rs.getString(2);
                    rs.getLong(5);
                    rs.getString(7);
                    rs.getObject(8, java.time.LocalDateTime.class);
                    messages.add(new Message(rs.getString(3), rs.getLong(4), rs.getString(6)));
                }
            }
            return messages;
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }

    // ------------------------------------------------------------------ processes

    private record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        String lastLine() {
            List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
            String last = lines.isEmpty() ? "exit code " + exitCode : lines.get(lines.size() - 1).strip();
            return dev.eventstore.jdbc.PostgresErrors.mask(last.length() > 200 ? last.substring(0, 200) + "..." : last);
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(java.io.File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command with its output in a file, bounded by {@code timeout}. */
    private static Result run(List<String> command, Path directory, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(directory, "output-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return new Result(-1, "timed out after " + timeout.toSeconds() + " s");
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static void deleteQuietly(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temporary directory; the system cleans what is left
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
