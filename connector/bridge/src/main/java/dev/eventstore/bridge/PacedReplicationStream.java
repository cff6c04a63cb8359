package dev.eventstore.bridge;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;

/**
 * Debezium's replication stream, read less often once nothing has arrived for a while.
 *
 * <p>Debezium's capture loop ({@code PostgresStreamingChangeEventSource.processMessages}) reads
 * the stream without blocking five times, then sleeps {@code poll.interval.ms}, whether or not
 * anything arrives. Each empty read is a 1 ms socket read with a timeout in the PostgreSQL driver
 * ({@code PGStream.hasMessagePending}), which ends in a {@code SocketTimeoutException}. At the
 * bridge's 1 ms poll interval a change waits at most about a millisecond to be read while changes
 * flow, and the sleeps leave the connection's lock to the offset flush's status update; but an
 * idle loop would turn about 160 times a second, 830 empty reads, for ever (at Debezium's 10 ms,
 * 300 empty reads: about 1.3 % of a core, JFR {@code jdk.ThreadCPULoad} of the capture thread of an
 * idle bridge).
 *
 * <p>This stream pauses {@code idlePauseMillis} before each read once no message has arrived for
 * {@code idleAfterMillis}, and reads without pausing again from the first message on. An idle
 * bridge then turns the loop about {@code 1000 / (5 × (idlePauseMillis + 1) + poll.interval.ms)}
 * times a second (at the 50 ms default and the 1 ms poll, about 4 turns and 20 reads); a change committed after
 * a quiet spell waits at most about {@code idlePauseMillis} to be read, and changes that follow one
 * another closer than {@code idleAfterMillis} are read as without it. {@code idlePauseMillis} 0
 * keeps Debezium's pace at all times. Everything else is Debezium's stream, unchanged.
 */
final class PacedReplicationStream implements ReplicationStream {

    private final ReplicationStream stream;
    private final long idlePauseMillis;
    private final long idleAfterNanos;
    private long lastMessage = System.nanoTime();

    PacedReplicationStream(ReplicationStream stream, long idlePauseMillis, long idleAfterMillis) {
        this.stream = stream;
        this.idlePauseMillis = idlePauseMillis;
        this.idleAfterNanos = idleAfterMillis * 1_000_000L;
    }

    @Override
    public boolean readPending(ReplicationMessageProcessor processor) throws SQLException, InterruptedException {
        if (idlePauseMillis > 0 && System.nanoTime() - lastMessage >= idleAfterNanos) {
            Thread.sleep(idlePauseMillis);
        }
        boolean received = stream.readPending(processor);
        if (received) {
            lastMessage = System.nanoTime();
        }
        return received;
    }

    @Override
    public void read(ReplicationMessageProcessor processor) throws SQLException, InterruptedException {
        stream.read(processor);
        lastMessage = System.nanoTime();
    }

    @Override
    public void flushLsn(Lsn lsn) throws SQLException {
        stream.flushLsn(lsn);
    }

    @Override
    public Lsn lastReceivedLsn() {
        return stream.lastReceivedLsn();
    }

    @Override
    public Lsn startLsn() {
        return stream.startLsn();
    }

    @Override
    public void startKeepAlive(ExecutorService service) {
        stream.startKeepAlive(service);
    }

    @Override
    public void stopKeepAlive() {
        stream.stopKeepAlive();
    }

    @Override
    public void close() throws Exception {
        stream.close();
    }
}
