package dev.eventstore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.eventstore.EventStore;
import dev.eventstore.cli.Progress;
import dev.eventstore.schema.MigrationSource;
import dev.eventstore.schema.SchemaManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The read-your-writes workload alone, on its own embedded PostgreSQL and Kafka: every wait
 * returns, the rows carry latencies and the queries each wait cost. Nothing about speed is asserted.
 */
class ReadYourWritesIT {

    @Test
    void everyWaitReturnsAndItsCostIsReported() throws Exception {
        BenchSettings q = BenchSettings.defaults(BenchSettings.Suite.PIPELINE, BenchSettings.Profile.QUICK);
        // No latency or drain workload: the pipeline suite runs only this one.
        BenchSettings settings = new BenchSettings(q.suite(), q.profile(), false, q.warmup(), q.duration(), q.pipelineWarmup(),
                q.pipelineDuration(), q.pipelineBurstEvents(), q.batchSize(), q.batchWriters(), q.singleWriters(),
                q.contentionWriters(), q.hotStreams(), q.streamEvents(), q.catchUpEvents(), q.pageSize(), List.of(), List.of(),
                q.replayEvents(), q.republishEvents(), 0, q.maxOperations(), q.messageDbVersion(), Map.of(),
                q.readYourWritesDuration(), 1000);
        StringWriter err = new StringWriter();
        List<ResultRow> rows;
        try (Progress progress = new Progress(new PrintWriter(err, true), false, ReadYourWrites.caseCount());
             BenchServers servers = BenchServers.start(null, null, progress);
             HikariDataSource pool = BenchServers.pool("store", servers.store(), settings.maxWriters() + 2, null)) {
            SchemaManager manager = new SchemaManager(pool, BenchContext.STORE_SCHEMA, MigrationSource.builtIn());
            manager.drop();
            manager.migrate();
            RawCopy raw = new RawCopy(pool, BenchContext.STORE_SCHEMA, BenchContext.RAW_SCHEMA);
            raw.create();
            EventStore store = EventStore.builder(pool).schema(BenchContext.STORE_SCHEMA).build();
            BenchContext context = new BenchContext(settings, servers, pool, store, raw,
                    MessageDb.unavailable("not run"), new EventPool(512, 1), progress, MigrationSource.builtIn());
            long started = System.nanoTime();
            rows = new PipelineWorkloads(context).run();
            System.out.printf("read your writes took %.1f s%n", (System.nanoTime() - started) / 1e9);
        }
        String table = ReportRenderer.table(rows);
        System.out.println(table);

        assertThat(rows).extracting(ResultRow::workloadId).containsExactly(ReadYourWrites.PUBLISHED + 1000,
                ReadYourWrites.CONSUMED + 1000, ReadYourWrites.WAITERS_CONSUMED + 1000, ReadYourWrites.WAITERS_PUBLISHED + 1000);
        for (ResultRow row : rows) {
            assertThat(row.ran()).as(table + err).isTrue();
            assertThat(row.latency().count()).as(row.id()).isPositive();
            assertThat(row.latency().maxMs()).as(row.id()).isPositive();
            assertThat(ReadYourWrites.queriesPerWait(row)).as(row.id() + ": " + row.note()).hasValueSatisfying(
                    perWait -> assertThat(perWait).isGreaterThanOrEqualTo(1.0));
        }
        assertThat(rows.get(2).latency().count()).as("every waiter returned").isEqualTo(1000);
        assertThat(rows.get(3).latency().count()).isEqualTo(1000);
    }
}
