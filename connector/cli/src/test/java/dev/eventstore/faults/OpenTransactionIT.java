package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventData;
import dev.eventstore.ExpectedVersion;
import dev.eventstore.admin.Verifier;
import dev.eventstore.cli.Cli;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 4: a transaction is open across a restart of the bridge. Its first events are written
 * (their WAL position lies before the point the bridge resumes from) while the first bridge runs,
 * the bridge is killed, more events join the transaction while no bridge runs and after the next
 * one starts, and only then does it commit. Other writers commit around it all along. Every event
 * of the transaction must arrive, in stream order.
 */
class OpenTransactionIT {

    private static final int TX_STREAMS = 5;

    private final FaultRig rig = FaultRig.shared();
    private final List<Cli.Child> children = new ArrayList<>();

    @TempDir
    Path directory;

    @AfterEach
    void cleanUp() {
        FaultRig.killAll(children);
        rig.dropSlot();
    }

    @Test
    void transactionOpenAcrossABridgeRestartArrivesWhole() throws Exception {
        long started = System.nanoTime();
        Map<String, String> settings = Map.of("offset.flush.interval.ms", "0", "max.batch.size", "20");
        SteadyWriter writer = new SteadyWriter(rig.store, "game", 20, 7L, 20_000, Duration.ofSeconds(Soak.size(150, 600)), 40)
                .start();
        Cli.Child first = start(settings);
        long transactionEvents = 0;
        try (Connection transaction = rig.connect()) {
            transaction.setAutoCommit(false);
            transactionEvents += appendToTransaction(transaction, 0);
            // Other transactions commit after its first events, and the bridge publishes them.
            rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);
            transactionEvents += appendToTransaction(transaction, 1);
            first.kill();
            first.finish(30);

            transactionEvents += appendToTransaction(transaction, 2);
            Cli.Child second = start(settings);
            rig.awaitConfirmed(rig.currentWalLsn(), FaultRig.TIMEOUT);
            transactionEvents += appendToTransaction(transaction, 3);
            transaction.commit();
            String committed = rig.currentWalLsn();
            long commitAt = System.nanoTime();
            rig.awaitConfirmed(committed, FaultRig.TIMEOUT);
            long publishedMs = (System.nanoTime() - commitAt) / 1_000_000;

            writer.close();
            long stored = writer.assertAcknowledgedPresent();
            for (int s = 0; s < TX_STREAMS; s++) {
                assertThat(rig.store.streamInfo("duel-" + s).orElseThrow().version()).isEqualTo(4 * 3);
            }
            Verifier.Report report = rig.verify();
            second.terminate();
            second.finish(60);
            FaultRig.assertWhole(report, stored + transactionEvents);

            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("written", stored + transactionEvents);
            figures.put("in_open_transaction", transactionEvents);
            figures.put("missing", report.missing());
            figures.put("duplicated", report.duplicated());
            figures.put("out_of_order", report.outOfOrder());
            figures.put("published_after_commit_ms", publishedMs);
            figures.put("seconds", (System.nanoTime() - started) / 1_000_000_000);
            FaultRig.report("transaction-open-across-restart", figures);
        }
    }

    /** Three events to each of the transaction's streams, on its connection, not committed. */
    private long appendToTransaction(Connection transaction, int round) {
        for (int s = 0; s < TX_STREAMS; s++) {
            rig.store.append(transaction, "duel-" + s, ExpectedVersion.exactly(round * 3L), List.of(
                    EventData.of("Move", "{\"round\":" + round + ",\"n\":1}"),
                    EventData.of("Move", "{\"round\":" + round + ",\"n\":2}"),
                    EventData.of("Move", "{\"round\":" + round + ",\"n\":3}")));
        }
        return TX_STREAMS * 3L;
    }

    private Cli.Child start(Map<String, String> settings) {
        Cli.Child child = rig.startChild(directory, settings);
        children.add(child);
        return child;
    }
}
