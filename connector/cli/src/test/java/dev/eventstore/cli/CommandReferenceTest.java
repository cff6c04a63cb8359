package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/cli.md is what the command line's definitions generate, and names every command and option. */
class CommandReferenceTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();

    @Test
    void committedReferenceIsUpToDate() throws IOException {
        if (Boolean.getBoolean("eventstore.docs.regenerate")) {
            CommandReference.write(ROOT);
        }
        assertThat(Files.readString(ROOT.resolve(CommandReference.REFERENCE), StandardCharsets.UTF_8))
                .as(CommandReference.REFERENCE + " is out of date with the commands' definitions; regenerate with: "
                        + CommandReference.REGENERATE)
                .isEqualTo(CommandReference.reference());
    }

    @Test
    void everyCommandAndOptionIsListedAndDescribed() {
        String reference = CommandReference.reference();
        CommandLine root = CommandReference.commandLine();
        assertThat(root.getSubcommands().keySet()).contains("roles", "cleanup", "completion", "verify", "replay");
        root.getSubcommands().forEach((name, command) -> {
            assertThat(reference).as(name).contains("\n## eventstore " + name + "\n", "| [`" + name + "`](#eventstore-" + name + ")");
            assertThat(command.getCommandSpec().usageMessage().description()).as(name + " has a description").isNotEmpty();
            for (OptionSpec option : command.getCommandSpec().options()) {
                assertThat(reference).as(name + " " + option.longestName()).contains(option.longestName());
                assertThat(option.description()).as(name + " " + option.longestName() + " has a description").isNotEmpty();
            }
        });
    }

    @Test
    void completionScriptCompletesEveryCommand() {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = EventStoreCommand.execute(new Environment(java.util.Map.of()), new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true), "completion");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_eventstore");
        CommandReference.commandLine().getSubcommands().keySet()
                .forEach(name -> assertThat(out.toString()).as(name).contains(name));
        assertThat(out.toString()).contains("--to-offset", "--json", "--dry-run");
    }

    /** What bash offers after {@code words} (the last one being completed), with the script loaded. */
    private static String complete(Path script, String... words) throws Exception {
        String line = "source " + script + "; COMP_WORDS=(" + String.join(" ", words) + "); COMP_CWORD="
                + (words.length - 1) + "; COMP_LINE='" + String.join(" ", words) + "'; _complete_eventstore;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\" | sort";
        // stderr: outside an interactive completion, bash's compopt complains that none is running
        Process bash = new ProcessBuilder("bash", "-c", line).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void bashCompletesCommandsAndOptions(@org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash: completion not run");
        java.io.StringWriter out = new java.io.StringWriter();
        EventStoreCommand.execute(new Environment(java.util.Map.of()), new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(new java.io.StringWriter(), true), "completion");
        Path script = Files.writeString(directory.resolve("eventstore.bash"), out.toString());
        assertThat(complete(script, "eventstore", "re")).isEqualTo("replay\nrepublish\nreset\n");
        assertThat(complete(script, "eventstore", "replay", "--to-")).contains("--to-offset\n", "--to-earliest\n",
                "--to-subscriptions\n");
        assertThat(complete(script, "eventstore", "verify", "--js")).isEqualTo("--json\n");
    }
}
