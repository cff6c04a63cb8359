package dev.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.testing.SharedStoreExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reliability scenario 7: concurrent appends and reads as a history, after Jepsen's list-append
 * workload. Several writers append unique elements to a few streams, half of the time with
 * {@code ANY}, half with the exact version they last saw (often stale, so often refused), while
 * readers read whole streams. Every operation is recorded with its invocation and completion
 * time and its outcome: ok, failed (a definite refusal: nothing written) or indeterminate (any
 * other error: it may have been written). The checker then holds the history against the final
 * streams:
 * <ul>
 *   <li>every read is a prefix of its stream's final list (nothing reordered or lost later);</li>
 *   <li>every acknowledged append is present, whole, contiguous, at the versions it was told,
 *       and an exact-version append directly after the version it expected;</li>
 *   <li>no refused append left anything behind, and nothing is present twice or unexplained;</li>
 *   <li>real time is respected: an append acknowledged before another was invoked comes first,
 *       and a read invoked after an append was acknowledged sees it.</li>
 * </ul>
 * Bounded in operations and in time; {@code -Deventstore.soak=true} runs ten times as many.
 */
@ExtendWith(SharedStoreExtension.class)
class ListAppendHistoryIT {

    private static final boolean SOAK = Boolean.getBoolean("eventstore.soak");
    private static final int STREAMS = 3;
    private static final int WRITERS = 4;
    private static final int READERS = 2;
    private static final int APPENDS_PER_WRITER = SOAK ? 3_000 : 300;
    private static final int READS_PER_READER = SOAK ? 2_000 : 200;
    private static final Duration TIME_LIMIT = Duration.ofSeconds(SOAK ? 900 : 90);

    private enum Outcome { OK, FAILED, INDETERMINATE }

    /** One operation of the history. */
    private record Op(String process, String stream, boolean append, List<String> elements, Long expected,
                      long invoked, long completed, Outcome outcome, long firstVersion, String error) {
    }

    private final AtomicLong clock = new AtomicLong();
    private final List<Op> history = Collections.synchronizedList(new ArrayList<>());

    /** A logical clock: invocation and completion stamps, strictly ordered across threads. */
    private long tick() {
        return clock.incrementAndGet();
    }

    @Test
    void concurrentAppendsAndReadsFormAValidListAppendHistory(EventStore store) throws Exception {
        long started = System.nanoTime();
        long deadline = started + TIME_LIMIT.toNanos();
        for (int s = 0; s < STREAMS; s++) {
            store.append(stream(s), ExpectedVersion.NO_STREAM, EventData.of("Created", "{}"));
        }
        Map<String, Long> lastSeen = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
        CountDownLatch go = new CountDownLatch(1);
        try {
            for (int w = 0; w < WRITERS; w++) {
                String process = "writer-" + w;
                Random random = new Random(1_000 + w);
                pool.submit(() -> {
                    go.await();
                    for (int n = 0; n < APPENDS_PER_WRITER && System.nanoTime() < deadline; n++) {
                        append(store, process, random, n, lastSeen);
                    }
                    return null;
                });
            }
            for (int r = 0; r < READERS; r++) {
                String process = "reader-" + r;
                Random random = new Random(2_000 + r);
                pool.submit(() -> {
                    go.await();
                    for (int n = 0; n < READS_PER_READER && System.nanoTime() < deadline; n++) {
                        read(store, process, stream(random.nextInt(STREAMS)), lastSeen);
                    }
                    return null;
                });
            }
            go.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(TIME_LIMIT.toSeconds() + 60, TimeUnit.SECONDS)).as("history finished").isTrue();
        } finally {
            pool.shutdownNow();
        }

        Map<String, List<String>> finals = new HashMap<>();
        for (int s = 0; s < STREAMS; s++) {
            finals.put(stream(s), elements(store.readStreamForward(stream(s), 1, Integer.MAX_VALUE)));
        }
        List<String> anomalies = check(new ArrayList<>(history), finals);
        assertThat(anomalies).as("anomalies in a history of " + history.size() + " operations").isEmpty();

        long ok = history.stream().filter(o -> o.append() && o.outcome() == Outcome.OK).count();
        long refused = history.stream().filter(o -> o.append() && o.outcome() == Outcome.FAILED).count();
        long indeterminate = history.stream().filter(o -> o.outcome() == Outcome.INDETERMINATE).count();
        long reads = history.stream().filter(o -> !o.append()).count();
        assertThat(ok).as("acknowledged appends").isPositive();
        assertThat(refused).as("stale exact-version appends refused").isPositive();
        System.out.println("RELIABILITY scenario=list-append-history operations=" + history.size() + " appends_ok=" + ok
                + " appends_refused=" + refused + " indeterminate=" + indeterminate + " reads=" + reads
                + " elements=" + finals.values().stream().mapToInt(List::size).sum() + " anomalies=" + anomalies.size()
                + " seconds=" + (System.nanoTime() - started) / 1_000_000_000);
    }

    /** The checker itself: a history with one anomaly of each kind, each reported. */
    @Test
    void theCheckerFindsEachKindOfAnomaly() {
        List<Op> history = List.of(
                new Op("w1", "s", true, List.of("a"), null, 1, 2, Outcome.OK, 2, null),
                new Op("w2", "s", true, List.of("b"), null, 3, 4, Outcome.OK, 3, null),
                new Op("w3", "s", true, List.of("lost"), null, 5, 6, Outcome.OK, 4, null),
                new Op("w4", "s", true, List.of("refused"), 9L, 5, 6, Outcome.FAILED, 0, "wrong expected version"),
                new Op("r1", "s", false, List.of("created", "b"), null, 7, 8, Outcome.OK, 1, null),
                new Op("r2", "s", false, List.of("created"), null, 9, 10, Outcome.OK, 1, null));
        // "b" was acknowledged after "a" was, yet stands before it; "refused" and "ghost" should not be there.
        Map<String, List<String>> finals = Map.of("s", List.of("created", "b", "a", "refused", "ghost"));
        List<String> anomalies = check(history, finals);
        assertThat(anomalies).anyMatch(a -> a.contains("[lost] to s is missing"))
                .anyMatch(a -> a.contains("refused append left refused"))
                .anyMatch(a -> a.contains("unexplained element ghost"))
                .anyMatch(a -> a.contains("[a] was acknowledged before [b] was invoked, but comes after it"))
                .anyMatch(a -> a.contains("r2 read s after [a] was acknowledged, without it"))
                .anyMatch(a -> a.contains("acknowledged append [a] is at version 3, not 2"));
        assertThat(check(history.subList(0, 2), Map.of("s", List.of("created", "a", "b")))).isEmpty();
    }

    private static String stream(int s) {
        return "history-" + s;
    }

    private void append(EventStore store, String process, Random random, int n, Map<String, Long> lastSeen) {
        String stream = stream(random.nextInt(STREAMS));
        int count = 1 + random.nextInt(2);
        List<String> elements = new ArrayList<>();
        List<EventData> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String element = process + ":" + n + ":" + i;
            elements.add(element);
            events.add(EventData.of("Appended", "{\"element\":\"" + element + "\"}"));
        }
        Long expected = random.nextBoolean() ? null : lastSeen.getOrDefault(stream, 1L);
        long invoked = tick();
        try {
            AppendResult result = store.append(stream, expected == null ? ExpectedVersion.ANY : ExpectedVersion.exactly(expected),
                    events);
            long completed = tick();
            lastSeen.merge(stream, result.lastVersion(), Math::max);
            history.add(new Op(process, stream, true, elements, expected, invoked, completed, Outcome.OK,
                    result.firstVersion(), null));
        } catch (WrongExpectedVersionException e) {
            long completed = tick();
            lastSeen.merge(stream, e.actualVersion(), Math::max);
            history.add(new Op(process, stream, true, elements, expected, invoked, completed, Outcome.FAILED, 0,
                    e.getMessage()));
        } catch (RuntimeException e) {
            history.add(new Op(process, stream, true, elements, expected, invoked, tick(), Outcome.INDETERMINATE, 0,
                    e.toString()));
        }
    }

    private void read(EventStore store, String process, String stream, Map<String, Long> lastSeen) {
        long invoked = tick();
        try {
            List<RecordedEvent> events = store.readStreamForward(stream, 1, Integer.MAX_VALUE);
            long completed = tick();
            if (!events.isEmpty()) {
                lastSeen.merge(stream, events.get(events.size() - 1).streamVersion(), Math::max);
            }
            history.add(new Op(process, stream, false, elements(events), null, invoked, completed, Outcome.OK, 1, null));
        } catch (RuntimeException e) {
            history.add(new Op(process, stream, false, List.of(), null, invoked, tick(), Outcome.INDETERMINATE, 0,
                    e.toString()));
        }
    }

    /** The element of each event; the stream's first event (its creation) is the element "created". */
    private static List<String> elements(List<RecordedEvent> events) {
        List<String> elements = new ArrayList<>();
        for (RecordedEvent event : events) {
            int at = event.data().indexOf("\"element\"");
            if (at < 0) {
                elements.add("created");
                continue;
            }
            int start = event.data().indexOf('"', event.data().indexOf(':', at) + 1) + 1;
            elements.add(event.data().substring(start, event.data().indexOf('"', start)));
        }
        return elements;
    }

    /** Every anomaly of the history against the final streams, one line each. */
    static List<String> check(List<Op> history, Map<String, List<String>> finals) {
        List<String> anomalies = new ArrayList<>();
        Map<String, Map<String, Integer>> positions = new HashMap<>();
        finals.forEach((stream, list) -> {
            Map<String, Integer> at = new HashMap<>();
            for (int i = 0; i < list.size(); i++) {
                if (at.put(list.get(i), i) != null) {
                    anomalies.add("duplicate element " + list.get(i) + " in " + stream);
                }
            }
            positions.put(stream, at);
        });
        Set<String> explained = new HashSet<>(Set.of("created"));
        Map<String, List<Op>> acknowledged = new LinkedHashMap<>();
        for (Op op : history) {
            List<String> list = finals.get(op.stream());
            Map<String, Integer> at = positions.get(op.stream());
            if (!op.append()) {
                if (op.outcome() == Outcome.OK && !(op.elements().size() <= list.size()
                        && list.subList(0, op.elements().size()).equals(op.elements()))) {
                    anomalies.add(op.process() + " read " + op.stream() + " as " + op.elements()
                            + ", not a prefix of its final list");
                }
                continue;
            }
            if (op.outcome() == Outcome.OK) {
                acknowledged.computeIfAbsent(op.stream(), s -> new ArrayList<>()).add(op);
                explained.addAll(op.elements());
                Integer first = at.get(op.elements().get(0));
                if (first == null) {
                    anomalies.add("acknowledged append " + op.elements() + " to " + op.stream() + " is missing");
                    continue;
                }
                if (first + 1 != op.firstVersion()) {
                    anomalies.add("acknowledged append " + op.elements() + " is at version " + (first + 1) + ", not "
                            + op.firstVersion() + " as it was told");
                }
                if (op.expected() != null && op.firstVersion() != op.expected() + 1) {
                    anomalies.add("append " + op.elements() + " expected version " + op.expected() + " but landed at "
                            + op.firstVersion());
                }
                for (int i = 1; i < op.elements().size(); i++) {
                    Integer next = at.get(op.elements().get(i));
                    if (next == null || next != first + i) {
                        anomalies.add("acknowledged append " + op.elements() + " to " + op.stream() + " is not whole and"
                                + " contiguous");
                        break;
                    }
                }
            } else if (op.outcome() == Outcome.FAILED) {
                for (String element : op.elements()) {
                    if (at.containsKey(element)) {
                        anomalies.add("refused append left " + element + " in " + op.stream());
                    }
                }
            } else {
                explained.addAll(op.elements()); // may or may not have been written
            }
        }
        finals.forEach((stream, list) -> list.stream().filter(e -> !explained.contains(e))
                .forEach(e -> anomalies.add("unexplained element " + e + " in " + stream)));

        // Real time: acknowledged before invoked means earlier in the stream, and seen by later reads.
        acknowledged.forEach((stream, ops) -> {
            Map<String, Integer> at = positions.get(stream);
            for (Op a : ops) {
                for (Op b : ops) {
                    if (a.completed() < b.invoked() && at.containsKey(a.elements().get(0)) && at.containsKey(b.elements().get(0))
                            && at.get(a.elements().get(0)) > at.get(b.elements().get(0))) {
                        anomalies.add(a.elements() + " was acknowledged before " + b.elements() + " was invoked, but"
                                + " comes after it in " + stream);
                    }
                }
            }
        });
        for (Op read : history) {
            if (read.append() || read.outcome() != Outcome.OK) {
                continue;
            }
            for (Op a : acknowledged.getOrDefault(read.stream(), List.of())) {
                if (a.completed() < read.invoked() && !read.elements().contains(a.elements().get(0))) {
                    anomalies.add(read.process() + " read " + read.stream() + " after " + a.elements()
                            + " was acknowledged, without it");
                }
            }
        }
        return anomalies;
    }
}
