package dev.eventstore.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.EventMetadata;
import dev.eventstore.EventStore;
import dev.eventstore.RecordedEvent;
import dev.eventstore.StreamInfo;
import dev.eventstore.serializer.EventSerializer;
import dev.eventstore.serializer.EventTypeRegistry;
import dev.eventstore.testing.SharedStoreExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedStoreExtension.class)
class GameSimulationIT {

    private final EventSerializer serializer = GameEvents.serializer();

    private static Set<String> streams(EventStore store) {
        Set<String> ids = new LinkedHashSet<>();
        long from = 0;
        while (true) {
            List<RecordedEvent> page = store.readAllForward(from, 1000);
            if (page.isEmpty()) {
                return ids;
            }
            page.forEach(e -> ids.add(e.streamId()));
            from = page.get(page.size() - 1).eventId() + 1;
        }
    }

    @Test
    void appendsCompleteGamesOfEveryModeWithMetadata(EventStore store) {
        GameSimulation simulation = GameSimulation.builder(store).writers(3).gamesPerWriter(3).seed(11).build();
        SimulationReport report = simulation.appendGames(12);

        assertThat(report.gamesStarted()).isEqualTo(12);
        assertThat(report.gamesCompleted()).isEqualTo(12);
        assertThat(SharedStoreExtension.counts().events()).isEqualTo(report.events());
        Set<String> streamIds = streams(store);
        assertThat(streamIds).hasSize(12).allMatch(id -> id.startsWith("game-"));

        Set<GameMode> modes = EnumSet.noneOf(GameMode.class);
        for (String streamId : streamIds) {
            List<RecordedEvent> events = store.readStreamForward(streamId, 1, 10_000);
            StreamInfo info = store.streamInfo(streamId).orElseThrow();
            assertThat(info.version()).isEqualTo(events.size());
            List<Object> typed = new ArrayList<>();
            for (RecordedEvent event : events) {
                typed.add(serializer.deserialize(event));
                EventMetadata metadata = event.eventMetadata();
                assertThat(metadata.correlationId()).isEqualTo(streamId);
                assertThat(metadata.causationId()).isNotBlank();
                assertThat(metadata.actor()).isNotBlank();
            }
            assertThat(typed.get(0)).isInstanceOf(GameStarted.class);
            assertThat(typed.get(typed.size() - 1)).isInstanceOf(GameCompleted.class);
            modes.add(((GameStarted) typed.get(0)).mode());
        }
        assertThat(modes).containsExactlyInAnyOrder(GameMode.values());
    }

    @Test
    void appendsExactlyTheEventsAskedFor(EventStore store) {
        SimulationReport report = GameSimulation.builder(store).writers(2).seed(5).build().appendEvents(500);
        assertThat(report.events()).isEqualTo(500);
        assertThat(SharedStoreExtension.counts().events()).isEqualTo(500);
    }

    @Test
    void rateLimitPacesEventsPerSecond(EventStore store) {
        SimulationReport report = GameSimulation.builder(store).eventsPerSecond(200).writers(2).seed(3).build()
                .runFor(Duration.ofSeconds(1));
        // At most 200 events in the second plus the batches in flight; fewer only if the machine is slow.
        assertThat(report.events()).isBetween(20L, 215L);
        assertThat(report.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void stopEndsARunPromptly(EventStore store) throws Exception {
        CountDownLatch appended = new CountDownLatch(20);
        GameSimulation simulation = GameSimulation.builder(store).eventsPerSecond(500).onAppend(r -> appended.countDown())
                .build();
        CompletableFuture<SimulationReport> run = CompletableFuture.supplyAsync(() -> simulation.runFor(Duration.ofMinutes(10)));
        assertThat(appended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(simulation.running()).isTrue();
        assertThatThrownBy(() -> simulation.appendGames(1)).isInstanceOf(IllegalStateException.class);

        simulation.stop();
        SimulationReport report = run.get(10, TimeUnit.SECONDS);
        assertThat(report.appends()).isGreaterThanOrEqualTo(20);
        assertThat(report.elapsed()).isLessThan(Duration.ofMinutes(1));
        assertThat(simulation.running()).isFalse();
        assertThat(SharedStoreExtension.counts().events()).isEqualTo(report.events());
    }

    @Test
    void aSerializerWithoutTheGameEventsIsRefused(EventStore store) {
        EventSerializer empty = new EventSerializer(EventTypeRegistry.builder().build());
        assertThatThrownBy(() -> GameSimulation.builder(store).serializer(empty).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the serializer does not know GameStarted: register the game's events with GameEvents.register(builder)");
    }
}
