package dev.eventstore.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GameScriptTest {

    private static final Instant START = Instant.parse("2024-06-01T12:00:00Z");

    @ParameterizedTest
    @EnumSource(GameMode.class)
    void everyGameStartsPlaysRoundsAndCompletes(GameMode mode) {
        for (int seed = 0; seed < 20; seed++) {
            GameScript.Game game = GameScript.play(mode, "game-x", new Random(seed), START);
            List<Object> events = game.events();
            assertThat(events.get(0)).isInstanceOf(GameStarted.class);
            assertThat(events.get(1)).isInstanceOf(RoundStarted.class);
            assertThat(events.get(events.size() - 1)).isInstanceOf(GameCompleted.class);
            assertThat(game.players()).hasSizeBetween(mode.minPlayers(), mode.maxPlayers()).doesNotHaveDuplicates();

            // The first command starts the game and its first round, sent by the host.
            assertThat(game.commands().get(0).events()).hasExactlyElementsOfTypes(GameStarted.class, RoundStarted.class);
            assertThat(game.commands().get(0).actor()).isEqualTo(game.players().get(0));
            // Every other command is one player's guess, first in its batch.
            for (GameScript.Command command : game.commands().subList(1, game.commands().size())) {
                assertThat(command.events().get(0)).isInstanceOfSatisfying(GuessProcessed.class,
                        guess -> assertThat(guess.playerId()).isEqualTo(command.actor()));
            }

            int rounds = 0;
            int open = 0;
            for (Object event : events) {
                if (event instanceof RoundStarted started) {
                    rounds++;
                    assertThat(started.round()).isEqualTo(rounds);
                    open++;
                } else if (event instanceof RoundCompleted completed) {
                    assertThat(completed.round()).isEqualTo(rounds);
                    open--;
                } else if (event instanceof GuessProcessed guess) {
                    assertThat(guess.round()).isEqualTo(rounds);
                    assertThat(open).isEqualTo(1);
                }
            }
            GameCompleted completed = (GameCompleted) events.get(events.size() - 1);
            assertThat(completed.roundsPlayed()).isEqualTo(rounds);
            int scored = events.stream().filter(GuessProcessed.class::isInstance).map(GuessProcessed.class::cast)
                    .mapToInt(GuessProcessed::points).sum();
            assertThat(completed.finalScores().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(scored);

            switch (mode) {
                case TWO_PLAYER -> assertThat(rounds).isEqualTo(3);
                case KNOCKOUT -> {
                    assertThat(rounds).isEqualTo(game.players().size() - 1);
                    assertThat(completed.winner()).isNotNull();
                    long eliminated = events.stream().filter(RoundCompleted.class::isInstance)
                            .mapToLong(e -> ((RoundCompleted) e).eliminated().size()).sum();
                    assertThat(eliminated).isEqualTo(game.players().size() - 1);
                }
                case RACE -> assertThat(rounds == 10 || completed.finalScores().get(completed.winner()) >= GameScript.RACE_TARGET)
                        .isTrue();
                default -> throw new AssertionError(mode);
            }
        }
    }

    @Test
    void theSameSeedPlaysTheSameGame() {
        assertThat(GameScript.play(GameMode.RACE, "game-1", new Random(42), START))
                .isEqualTo(GameScript.play(GameMode.RACE, "game-1", new Random(42), START));
    }
}
