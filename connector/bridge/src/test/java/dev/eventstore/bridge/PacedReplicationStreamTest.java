package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PacedReplicationStreamTest {

    /** A stream whose reads find a message or not, as scripted. */
    private static final class ScriptedStream implements ReplicationStream {
        final Deque<Boolean> script;
        int reads;

        ScriptedStream(List<Boolean> script) {
            this.script = new ArrayDeque<>(script);
        }

        @Override
        public boolean readPending(ReplicationMessageProcessor processor) {
            reads++;
            return !script.isEmpty() && script.poll();
        }

        @Override
        public void read(ReplicationMessageProcessor processor) {
            reads++;
        }

        @Override
        public void flushLsn(Lsn lsn) {
        }

        @Override
        public Lsn lastReceivedLsn() {
            return null;
        }

        @Override
        public Lsn startLsn() {
            return null;
        }

        @Override
        public void startKeepAlive(ExecutorService service) {
        }

        @Override
        public void stopKeepAlive() {
        }

        @Override
        public void close() {
        }
    }

    private static long millis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Test
    void readsWithoutPauseUntilTheStreamHasBeenQuietLongEnough() throws Exception {
        ScriptedStream stream = new ScriptedStream(List.of(false, false, false));
        PacedReplicationStream paced = new PacedReplicationStream(stream, 10_000, 60_000);
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            assertThat(paced.readPending(m -> { })).isFalse();
        }
        assertThat(stream.reads).isEqualTo(3);
        assertThat(millis(start)).isLessThan(5_000);
    }

    @Test
    void pausesBeforeEveryReadWhileQuiet() throws Exception {
        ScriptedStream stream = new ScriptedStream(List.of(false, false));
        PacedReplicationStream paced = new PacedReplicationStream(stream, 200, 0);
        long start = System.nanoTime();
        assertThat(paced.readPending(m -> { })).isFalse();
        assertThat(millis(start)).isGreaterThanOrEqualTo(200);
        start = System.nanoTime();
        assertThat(paced.readPending(m -> { })).isFalse();
        assertThat(millis(start)).isGreaterThanOrEqualTo(200);
        assertThat(stream.reads).isEqualTo(2);
    }

    @Test
    void aMessageAfterAQuietSpellRestoresDebeziumsPace() throws Exception {
        ScriptedStream stream = new ScriptedStream(List.of(true, false, false));
        PacedReplicationStream paced = new PacedReplicationStream(stream, 300, 400);
        Thread.sleep(500); // the quiet spell under test: longer than the 400 ms threshold

        long start = System.nanoTime();
        assertThat(paced.readPending(m -> { })).isTrue();
        assertThat(millis(start)).isGreaterThanOrEqualTo(300);

        start = System.nanoTime();
        assertThat(paced.readPending(m -> { })).isFalse();
        assertThat(paced.readPending(m -> { })).isFalse();
        assertThat(millis(start)).isLessThan(300);
        assertThat(stream.reads).isEqualTo(3);
    }

    @Test
    void noPauseWhenDisabled() throws Exception {
        ScriptedStream stream = new ScriptedStream(List.of(false, false));
        PacedReplicationStream paced = new PacedReplicationStream(stream, 0, 0);
        long start = System.nanoTime();
        assertThat(paced.readPending(m -> { })).isFalse();
        assertThat(paced.readPending(m -> { })).isFalse();
        assertThat(millis(start)).isLessThan(5_000);
        assertThat(stream.reads).isEqualTo(2);
    }
}
