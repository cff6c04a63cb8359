package dev.eventstore.cli;

import dev.eventstore.Limits;
import dev.eventstore.bridge.BridgeConfig;
import dev.eventstore.bridge.KafkaClients;
import dev.eventstore.jdbc.PostgresErrors;
import dev.eventstore.schema.SqlResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The checks every command on PostgreSQL and Kafka gets from {@link PipelineCommand} before it does
 * anything: its {@code --category} and {@code --group} (shape: exit 2; a category without a stored
 * stream: exit 1), and Kafka answering ({@link #requireKafka}). One line each, values escaped.
 */
final class CommandInputs {

    /** How long a command waits for Kafka to answer before it says it cannot reach it. */
    static final Duration KAFKA_CHECK_TIMEOUT = Duration.ofSeconds(10);
    private static final int SHOWN = 80;

    private CommandInputs() {
    }

    /** Checks the {@code --category} and {@code --group} options {@code spec} has, if given. */
    static void checkOptions(CommandSpec spec) {
        String category = optionValue(spec, "--category");
        if (category != null) {
            checkCategory(category);
        }
        String group = optionValue(spec, "--group");
        if (group != null) {
            checkGroup(group);
        }
    }

    /**
     * A category as a stream id names it: not empty, at most 255 characters (a stream id's limit),
     * no control characters, and no '-' after its first character (the category of {@code game-42}
     * is {@code game}; only a stream id that starts with '-' is its own category).
     */
    static void checkCategory(String category) {
        String problem = null;
        if (category.isEmpty()) {
            problem = "must not be empty";
        } else if (category.length() > Limits.MAX_STREAM_ID_LENGTH) {
            problem = "longer than " + Limits.MAX_STREAM_ID_LENGTH + " characters (" + category.length() + ")";
        } else if (hasControlCharacter(category)) {
            problem = "contains a control character";
        } else if (category.indexOf('-') > 0 && !category.startsWith("-")) {
            problem = "is a stream id, not a category (its category is " + quote(category.substring(0, category.indexOf('-'))) + ")";
        }
        if (problem != null) {
            throw new CommandFailedException("invalid --category" + (category.isEmpty() ? "" : " " + quote(category)) + ": "
                    + problem, ExitCodes.USAGE);
        }
    }

    /** A consumer group id: not empty or blank, at most 255 characters, no control characters. */
    static void checkGroup(String group) {
        String problem = null;
        if (group.isBlank()) {
            problem = "must not be empty";
        } else if (group.length() > Limits.MAX_SUBSCRIPTION_ID_LENGTH) {
            problem = "longer than " + Limits.MAX_SUBSCRIPTION_ID_LENGTH + " characters (" + group.length() + ")";
        } else if (hasControlCharacter(group)) {
            problem = "contains a control character";
        }
        if (problem != null) {
            throw new CommandFailedException("invalid --group" + (group.isEmpty() ? "" : " " + quote(group)) + ": " + problem,
                    ExitCodes.USAGE);
        }
    }

    /** Refuses a {@code --category} of which the store holds no stream (a typo, most of the time). */
    static void requireStoredCategory(CommandSpec spec, BridgeConfig config) {
        String category = optionValue(spec, "--category");
        if (category == null) {
            return;
        }
        try (Connection connection = config.connection().dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     SqlResource.load("cli_category_has_streams", config.schema()))) {
            statement.setString(1, category);
            statement.setInt(2, category.length() + 1);
            statement.setString(3, category + "-");
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                if (!rows.getBoolean("found")) {
                    throw new CommandFailedException("no stream of category " + quote(category) + " in schema "
                            + config.schema() + " (a category is the part of a stream id before its first '-')");
                }
            }
        } catch (SQLException e) {
            throw new CommandFailedException(PostgresErrors.describe(e));
        }
    }

    /** Fails with one line when Kafka does not answer within {@link #KAFKA_CHECK_TIMEOUT}. */
    static void requireKafka(BridgeConfig config) {
        Admin admin = KafkaClients.admin(config, config.name() + "-check");
        try {
            admin.describeCluster().clusterId().get(KAFKA_CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new CommandFailedException(kafkaUnreachable(config.bootstrapServers()));
        } catch (ExecutionException e) {
            throw new CommandFailedException("cannot reach Kafka at " + config.bootstrapServers() + ": "
                    + PostgresErrors.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailedException("interrupted while checking Kafka at " + config.bootstrapServers());
        } finally {
            // Not the default close, which waits for the abandoned request's own 60 s timeout.
            admin.close(Duration.ZERO);
        }
    }

    /** The line for Kafka not answering. */
    static String kafkaUnreachable(String bootstrapServers) {
        return "cannot reach Kafka at " + bootstrapServers + ": no answer within " + KAFKA_CHECK_TIMEOUT.toSeconds()
                + " s (is it running, and is kafka.bootstrap.servers right?)";
    }

    /** {@code 'value'} with control characters escaped and a long value shortened. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < value.length(); i++) {
            if (shown == SHOWN) {
                out.append("...");
                break;
            }
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04X", (int) c) : String.valueOf(c));
            shown++;
        }
        return out.append("'").toString();
    }

    static boolean hasControlCharacter(String value) {
        return value.chars().anyMatch(Character::isISOControl);
    }

    /** The value of option {@code name} as given on the command line, or {@code null}. */
    private static String optionValue(CommandSpec spec, String name) {
        OptionSpec option = spec.findOption(name);
        if (option == null || spec.commandLine() == null || spec.commandLine().getParseResult() == null) {
            return null;
        }
        Object value = spec.commandLine().getParseResult().matchedOptionValue(name, null);
        return value == null ? null : value.toString();
    }
}
