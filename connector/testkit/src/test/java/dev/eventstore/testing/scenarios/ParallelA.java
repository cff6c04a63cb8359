package dev.eventstore.testing.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventStore;
import dev.eventstore.testing.EventStoreExtension;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Run by {@code ParallelSchemasIT} (not by failsafe: no IT suffix) beside {@link ParallelB}: both
 * wait at one barrier, so they pass only when they run at the same time, each in its schema.
 */
@ExtendWith(EventStoreExtension.class)
public class ParallelA {

    public static final Set<String> SCHEMAS = ConcurrentHashMap.newKeySet();
    public static volatile CyclicBarrier barrier = new CyclicBarrier(2);

    @Test
    void appendsWhileTheOtherClassDoes(EventStore store) throws Exception {
        SCHEMAS.add(store.schema().value());
        EventStoreExtension.createTestStream("game-1", 5);
        barrier.await(60, TimeUnit.SECONDS);
        // Both classes appended 5 events to "game-1": each sees its own 5 only.
        assertThat(store.readStreamForward("game-1", 1, 100)).hasSize(5);
        barrier.await(60, TimeUnit.SECONDS);
        EventStoreExtension.createTestStream("game-1", 1);
        assertThat(store.streamInfo("game-1").orElseThrow().version()).isEqualTo(6);
    }
}
