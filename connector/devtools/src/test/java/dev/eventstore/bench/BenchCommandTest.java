package dev.eventstore.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventstore.cli.CommandFailedException;
import dev.eventstore.cli.Environment;
import dev.eventstore.cli.EventStoreCommand;
import dev.eventstore.cli.ExitCodes;
import dev.eventstore.jdbc.ConnectionSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line of bench, parsed without running anything. */
class BenchCommandTest {

    private static BenchCommand parse(Map<String, String> env, String... args) {
        CommandLine commandLine = EventStoreCommand.commandLine(new EventStoreCommand(new Environment(env)));
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        CommandLine.ParseResult result = commandLine.parseArgs(args);
        return (BenchCommand) result.subcommand().commandSpec().userObject();
    }

    @Test
    void quickShortensEveryWorkloadAndFullAddsTheLargeOnes() {
        BenchSettings quick = parse(Map.of(), "bench", "all", "--quick").settings();
        BenchSettings defaults = parse(Map.of(), "bench", "ALL").settings();
        BenchSettings full = parse(Map.of(), "bench", "append", "--full").settings();

        assertThat(quick.profile()).isEqualTo(BenchSettings.Profile.QUICK);
        assertThat(quick.duration()).isLessThan(defaults.duration());
        assertThat(quick.catchUpEvents()).isLessThan(defaults.catchUpEvents());
        assertThat(defaults.suite()).isEqualTo(BenchSettings.Suite.ALL);
        assertThat(defaults.drainEvents()).containsExactly(100_000);
        assertThat(defaults.replayEvents()).isEqualTo(1_000_000);
        assertThat(defaults.republishEvents()).isEqualTo(1_000_000);
        assertThat(quick.republishEvents()).isLessThan(defaults.republishEvents());
        assertThat(quick.replayEvents()).isLessThan(defaults.replayEvents());
        assertThat(defaults.readYourWritesDuration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(quick.readYourWritesDuration()).isLessThan(defaults.readYourWritesDuration());
        assertThat(defaults.waiters()).isEqualTo(1000);
        assertThat(quick.waiters()).isLessThan(defaults.waiters());
        assertThat(defaults.scaleEvents()).isZero();
        assertThat(full.suite()).isEqualTo(BenchSettings.Suite.APPEND);
        assertThat(full.drainEvents()).containsExactly(100_000, 1_000_000);
        assertThat(full.scaleEvents()).isEqualTo(10_000_000L);
    }

    @Test
    void sizesAndDurationsAreFlags() {
        BenchSettings settings = parse(Map.of(), "bench", "pipeline", "--quick", "--duration", "PT3S", "--warmup", "PT0S",
                "--pipeline-rates", "500,2000", "--drain-events", "20000", "--single-writers", "2,4", "--batch-size", "50",
                "--catch-up-events", "7000", "--page-size", "100", "--scale-events", "1000000", "--replay-events", "3000",
                "--peers", "--ryw-duration", "PT5S", "--waiters", "200").settings();

        assertThat(settings.duration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.warmup()).isZero();
        assertThat(settings.pipelineRates()).containsExactly(500, 2000);
        assertThat(settings.drainEvents()).containsExactly(20_000);
        assertThat(settings.singleWriters()).containsExactly(2, 4);
        assertThat(settings.batchSize()).isEqualTo(50);
        assertThat(settings.catchUpEvents()).isEqualTo(7000);
        assertThat(settings.pageSize()).isEqualTo(100);
        assertThat(settings.replayEvents()).isEqualTo(3000);
        assertThat(settings.scaleEvents()).isEqualTo(1_000_000L);
        assertThat(settings.peers()).isTrue();
        assertThat(settings.maxWriters()).isEqualTo(8);
        assertThat(settings.readYourWritesDuration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.waiters()).isEqualTo(200);
    }

    @Test
    void bridgeSettingsAreCheckedAgainstTheBridgesDefinition() {
        BenchSettings settings = parse(Map.of(), "bench", "pipeline", "--bridge-setting", "producer.linger.ms=5",
                "--bridge-setting", "mirror.enabled=false").settings();
        assertThat(settings.bridgeSettings()).containsEntry("producer.linger.ms", "5").containsEntry("mirror.enabled", "false");
        assertThat(settings.describe()).contains("our bridge with {mirror.enabled=false, producer.linger.ms=5}");

        assertUsage(parse(Map.of(), "bench", "pipeline", "--bridge-setting", "producer.lingr.ms=5"),
                "unknown bridge setting producer.lingr.ms");
        assertUsage(parse(Map.of(), "bench", "pipeline", "--bridge-setting", "producer.linger.ms=-1"),
                "--bridge-setting: Invalid value -1 for configuration producer.linger.ms");
    }

    @Test
    void badValuesAreUsageErrors() {
        assertUsage(parse(Map.of(), "bench", "all", "--quick", "--full"), "--quick and --full exclude each other");
        assertUsage(parse(Map.of(), "bench", "all", "--duration", "PT0S"), "--duration must be positive");
        assertUsage(parse(Map.of(), "bench", "all", "--warmup", "-PT1S"), "--warmup must be 0 or more");
        assertUsage(parse(Map.of(), "bench", "all", "--batch-size", "0"), "--batch-size must be 1 or more");
        assertUsage(parse(Map.of(), "bench", "all", "--single-writers", "1,0"), "--single-writers values must be 1 to 256");
        assertUsage(parse(Map.of(), "bench", "all", "--message-db-version", "1.3; rm"), "--message-db-version must be");
        assertUsage(parse(Map.of(), "bench", "pipeline", "--ryw-duration", "PT0S"), "--ryw-duration must be positive");
        assertUsage(parse(Map.of(), "bench", "pipeline", "--waiters", "0"), "--waiters must be 1 or more");
        assertUsage(parse(Map.of(), "bench", "pipeline", "--waiters", "20000"), "--waiters must be at most 10000");
    }

    private static void assertUsage(BenchCommand command, String message) {
        assertThatThrownBy(command::settings).isInstanceOf(CommandFailedException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(((CommandFailedException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
    }

    @Test
    void embeddedUnlessADatabaseIsGivenAndThenTheEnvironmentCompletesIt() {
        assertThat(parse(Map.of("EVENTSTORE_DB_URL", "jdbc:postgresql://db:5432/game"), "bench", "all").database())
                .as("EVENTSTORE_DB_URL alone does not turn the benchmark on a configured database").isNull();

        ConnectionSettings given = parse(Map.of("EVENTSTORE_DB_PASSWORD", "secret", "EVENTSTORE_DB_USER", "u"),
                "bench", "all", "--db-url", "jdbc:postgresql://db:5432/game").database();
        assertThat(given.url()).isEqualTo("jdbc:postgresql://db:5432/game");
        assertThat(given.user()).isEqualTo("u");
        assertThat(given.password()).isEqualTo("secret");

        assertThatThrownBy(() -> parse(Map.of(), "bench", "all", "--db-user", "u").database())
                .hasMessageContaining("--db-user and --db-password need --db-url");
    }

    @Test
    void aMissingOrUnknownSuiteIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = EventStoreCommand.execute(new Environment(Map.of()), new PrintWriter(new StringWriter()),
                new PrintWriter(err), "bench", "scale");
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("SUITE", "scale");
    }

    @Test
    void otherDatabasesOnTheSameServerKeepTheUrlsParameters() {
        assertThat(BenchServers.withDatabase("jdbc:postgresql://h:5432/game?sslmode=require", "other"))
                .isEqualTo("jdbc:postgresql://h:5432/other?sslmode=require");
        assertThat(BenchServers.withDatabase("jdbc:postgresql://h1:5432,h2:5433/game", "other"))
                .isEqualTo("jdbc:postgresql://h1:5432,h2:5433/other");
        assertThat(List.of(BenchSettings.Suite.values())).extracting(BenchSettings.Suite::label)
                .containsExactly("append", "read", "pipeline", "replay", "idle", "all");
        assertThat(BenchSettings.Suite.ALL.includes(BenchSettings.Suite.PIPELINE)).isTrue();
        assertThat(BenchSettings.Suite.ALL.includes(BenchSettings.Suite.IDLE)).as("bench all runs no idle suite").isFalse();
    }
}
