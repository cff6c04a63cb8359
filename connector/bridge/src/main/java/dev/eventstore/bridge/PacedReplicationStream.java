package dev.eventstore.bridge;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.LockSupport;

/**
 * Debezium's replication stream, read without pause while changes flow and less often once
 * nothing has arrived for a while.
 *
 * <p>Debezium's capture loop ({@code PostgresStreamingChangeEventSource.processMessages}) reads
 * the stream without blocking five times, then sleeps {@code poll.interval.ms}, whether or not
 * anything arrives. Each empty read is a 1 ms socket read with a timeout in the PostgreSQL driver
 * ({@code PGStream.hasMessagePending}), which ends in a {@code SocketTimeoutException}. Two costs
 * follow: a change that arrives during the sleep waits for its end (up to {@code poll.interval.ms},
 * in every subject that runs Debezium's connector), and an idle loop turns about 60 times a second
 * at the 10 ms default, 300 empty reads, about 1.3 % of a core (JFR {@code jdk.ThreadCPULoad} of the
 * capture thread of an idle bridge).
 *
 * <p>This stream has two paces:
 * <ul>
 *   <li>While changes flow (a message within the last {@code idleAfterMillis}), a read that finds
 *       nothing reads again, until a message arrives or the stream has been quiet for
 *       {@code idleAfterMillis}: the loop never reaches its sleep, and a change is read as soon as
 *       it arrives, each empty read still waiting 1 ms on the socket (about 1,000 a second at most,
 *       and only while changes flow).</li>
 *   <li>Once quiet, it pauses {@code idlePauseMillis} before each read: an idle bridge turns the loop
 *       about {@code 1000 / (5 × (idlePauseMillis + 1) + poll.interval.ms)} times a second (at 30 ms
 *       and the 1 ms poll, about 6 turns and 32 reads), and a change committed after a quiet spell waits at
 *       most about {@code idlePauseMillis} to be read.</li>
 * </ul>
 * {@code idlePauseMillis} 0 keeps Debezium's pace at all times. Everything else is Debezium's
 * stream, unchanged.
 */
final class PacedReplicationStream implements ReplicationStream {

    /** An empty read quicker than this did not wait on the socket: the next one waits instead, so that the loop cannot spin. */
    private static final long LEAST_READ_NANOS = 200_000;

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
        if (idlePauseMillis <= 0) {
            return readOnce(processor);
        }
        if (System.nanoTime() - lastMessage >= idleAfterNanos) {
            Thread.sleep(idlePauseMillis);
            return readOnce(processor);
        }
        while (true) {
            long start = System.nanoTime();
            if (readOnce(processor)) {
                return true;
            }
            long now = System.nanoTime();
            if (now - lastMessage >= idleAfterNanos) {
                return false;
            }
            if (now - start < LEAST_READ_NANOS) {
                LockSupport.parkNanos(1_000_000L);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private boolean readOnce(ReplicationMessageProcessor processor) throws SQLException, InterruptedException {
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
