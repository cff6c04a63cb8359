package dev.eventstore;

import static dev.eventstore.testing.SharedStoreExtension.createTestEvent;
import static dev.eventstore.testing.SharedStoreExtension.createTestStream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.testing.SharedStoreExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Appends racing on one stream. Every writer waits at a start gate so that they reach PostgreSQL
 * together; the outcome asserted does not depend on how they interleave.
 */
@ExtendWith(SharedStoreExtension.class)
class ConcurrencyIT {

    private static <T> List<Future<T>> race(int writers, Callable<T> perWriter) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch ready = new CountDownLatch(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> results = new ArrayList<>();
        try {
            for (int i = 0; i < writers; i++) {
                results.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return perWriter.call();
                }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The plan's race: same expected version, exactly one winner, the others told the actual version. */
    @Test
    void fiveAppendsWithTheSameExpectedVersionHaveExactlyOneWinner(EventStore store) throws Exception {
        createTestStream("game-race", 3);
        int[] writer = {0};
        List<Future<AppendResult>> results = race(5, () -> {
            String who;
            synchronized (writer) {
                who = "writer-" + writer[0]++;
            }
            return store.append("game-race", ExpectedVersion.exactly(3), List.of(
                    createTestEvent("GuessProcessed", "{\"by\":\"" + who + "\",\"n\":1}"),
                    createTestEvent("GuessProcessed", "{\"by\":\"" + who + "\",\"n\":2}")));
        });

        List<AppendResult> successes = new ArrayList<>();
        List<WrongExpectedVersionException> conflicts = new ArrayList<>();
        for (Future<AppendResult> result : results) {
            try {
                successes.add(result.get());
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(WrongExpectedVersionException.class);
                conflicts.add((WrongExpectedVersionException) e.getCause());
            }
        }
        assertThat(successes).hasSize(1);
        assertThat(conflicts).hasSize(4).allSatisfy(conflict -> {
            assertThat(conflict.actualVersion()).isEqualTo(5);
            assertThat(conflict).hasMessage("wrong expected version for stream 'game-race': expected 3, actual 5");
        });

        AppendResult winner = successes.get(0);
        assertThat(winner.firstVersion()).isEqualTo(4);
        assertThat(winner.lastVersion()).isEqualTo(5);
        List<RecordedEvent> events = store.readStreamForward("game-race", 1, 100);
        assertThat(events).hasSize(5).extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(events.subList(3, 5)).extracting(RecordedEvent::eventId).containsExactlyElementsOf(winner.eventIds());
        String winnerName = events.get(3).data().replaceAll(".*\"by\": \"([^\"]+)\".*", "$1");
        assertThat(events.get(4).data()).contains("\"by\": \"" + winnerName + "\"");
    }

    /** The same race for one event each: the library's one-statement path, not append_to_stream, decides it. */
    @Test
    void fiveSingleEventAppendsWithTheSameExpectedVersionHaveExactlyOneWinner(EventStore store) throws Exception {
        createTestStream("game-race-1", 3);
        List<Future<AppendResult>> results = race(5, () -> store.append("game-race-1", ExpectedVersion.exactly(3),
                List.of(createTestEvent("GuessProcessed", "{\"by\":\"" + Thread.currentThread().getName() + "\"}"))));
        List<AppendResult> successes = new ArrayList<>();
        for (Future<AppendResult> result : results) {
            try {
                successes.add(result.get());
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(WrongExpectedVersionException.class)
                        .hasMessage("wrong expected version for stream 'game-race-1': expected 3, actual 4");
            }
        }
        assertThat(successes).singleElement().satisfies(winner -> {
            assertThat(winner.firstVersion()).isEqualTo(4);
            assertThat(winner.lastVersion()).isEqualTo(4);
        });
        assertThat(store.readStreamForward("game-race-1", 1, 100)).extracting(RecordedEvent::streamVersion)
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(store.readStreamForward("game-race-1", 4, 1).get(0).eventId())
                .isEqualTo(successes.get(0).eventIds().get(0));
    }

    @Test
    void fiveFirstAppendsWithNoStreamHaveExactlyOneWinner(EventStore store) throws Exception {
        List<Future<AppendResult>> results = race(5, () ->
                store.append("game-new", ExpectedVersion.NO_STREAM, List.of(createTestEvent("GameStarted", "{}"))));
        int won = 0;
        for (Future<AppendResult> result : results) {
            try {
                result.get();
                won++;
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(WrongExpectedVersionException.class)
                        .hasMessage("wrong expected version for stream 'game-new': expected no stream, actual 1");
            }
        }
        assertThat(won).isEqualTo(1);
        assertThat(store.streamInfo("game-new").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void concurrentAnyAppendsGetVersionsOneToNWithoutGapOrDuplicate(EventStore store) throws Exception {
        int writers = 8;
        int appendsPerWriter = 25;
        List<Future<List<AppendResult>>> results = race(writers, () -> {
            List<AppendResult> mine = new ArrayList<>();
            for (int i = 0; i < appendsPerWriter; i++) {
                mine.add(store.append("game-any", ExpectedVersion.ANY, List.of(createTestEvent("GuessProcessed", "{}"))));
            }
            return mine;
        });
        List<Long> versions = new ArrayList<>();
        for (Future<List<AppendResult>> result : results) {
            for (AppendResult append : result.get()) {
                versions.add(append.lastVersion());
            }
        }
        int n = writers * appendsPerWriter;
        List<Long> expected = new ArrayList<>();
        for (long v = 1; v <= n; v++) {
            expected.add(v);
        }
        assertThat(versions).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(store.readStreamForward("game-any", 1, 1000)).extracting(RecordedEvent::streamVersion)
                .containsExactlyElementsOf(expected);
        assertThat(store.streamInfo("game-any").orElseThrow().version()).isEqualTo(n);
    }
}
