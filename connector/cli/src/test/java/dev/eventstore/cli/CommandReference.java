package dev.eventstore.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * The command reference ({@code docs/cli.md}): every command of the release's command line and
 * each of its options, generated from the picocli definitions that parse them, so that the
 * reference and {@code --help} cannot differ. {@link CommandReferenceTest} fails when the
 * committed file is not this output; regenerate with
 * {@code mvn -B -o -pl connector/cli -am test -Dtest=CommandReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Deventstore.docs.regenerate=true}.
 */
final class CommandReference {

    static final String REFERENCE = "docs/cli.md";
    static final String REGENERATE = "mvn -B -o -pl connector/cli -am test -Dtest=CommandReferenceTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Deventstore.docs.regenerate=true";
    private static final int WIDTH = 100;

    private CommandReference() {
    }

    /** The release's command line: the operator's commands, without the developer tools a checkout adds. */
    static CommandLine commandLine() {
        CommandLine commandLine = EventStoreCommand.commandLine(new EventStoreCommand(new Environment(Map.of())));
        commandLine.setUsageHelpWidth(WIDTH);
        return commandLine;
    }

    static String reference() {
        CommandLine root = commandLine();
        StringBuilder out = new StringBuilder();
        out.append("<!-- Generated from the command line's picocli definitions by CommandReference (connector/cli tests).\n")
                .append("     Do not edit: ").append(REGENERATE).append(" -->\n\n")
                .append("# Command reference\n\n")
                .append("`bin/eventstore COMMAND [OPTIONS]`; every command also answers `--help` with the text below.\n")
                .append("Errors are one line on stderr. Commands that read the bridge's settings take `--config FILE`\n")
                .append("(see [bridge-config.md](bridge-config.md)) and the `EVENTSTORE_*` environment variables.\n\n")
                .append("`bin/eventstore completion` prints the bash completion script of all of this (zsh too, after\n")
                .append("`autoload -U +X bashcompinit && bashcompinit`): `source <(bin/eventstore completion)`.\n\n")
                .append("## Exit codes\n\n");
        ExitCodes.DESCRIPTIONS.forEach(line -> out.append("- ").append(line).append('\n'));
        out.append("\n## Commands\n\n| command | what it does |\n|---|---|\n");
        root.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                out.append("| [`").append(name).append("`](#eventstore-").append(name).append(") | ")
                        .append(firstLine(sub)).append(" |\n");
            }
        });
        out.append("\n## eventstore\n\n```text\n").append(usage(root)).append("```\n");
        root.getSubcommands().forEach((name, sub) -> section(out, "eventstore " + name, sub));
        return out.toString();
    }

    /** The section of {@code command} and, after it, those of its own subcommands ({@code stream metadata}). */
    private static void section(StringBuilder out, String path, CommandLine command) {
        if (!command.getCommandSpec().usageMessage().hidden()) {
            out.append("\n## ").append(path).append("\n\n```text\n").append(usage(command)).append("```\n");
            command.getSubcommands().forEach((name, sub) -> section(out, path + " " + name, sub));
        }
    }

    private static String firstLine(CommandLine command) {
        String[] header = command.getCommandSpec().usageMessage().header();
        String[] lines = header.length > 0 ? header : command.getCommandSpec().usageMessage().description();
        return lines.length == 0 ? "" : lines[0].replace("%n", "").replace("|", "\\|");
    }

    private static String usage(CommandLine command) {
        // Trailing blanks are stripped: picocli pads some lines, and the file must stay byte-stable.
        return command.getUsageMessage(Help.Ansi.OFF).replaceAll("(?m)[ \\t]+$", "");
    }

    static void write(Path root) throws IOException {
        Files.writeString(root.resolve(REFERENCE), reference(), StandardCharsets.UTF_8);
    }
}
