package dev.eventstore.cli;

import dev.eventstore.EventStoreException;
import dev.eventstore.jdbc.PostgresErrors;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code eventstore}: the command line of the event store. Every failure ends as one line on
 * stderr and a non-zero exit code ({@link ExitCodes}); {@code --verbose} adds the stack trace.
 */
@Command(name = "eventstore",
        mixinStandardHelpOptions = true,
        versionProvider = EventStoreCommand.Version.class,
        description = "PostgreSQL event store bridged to Kafka.",
        subcommands = {
            MigrateCommand.class,
            InfoCommand.class,
            ResetCommand.class,
            DropCommand.class,
            GenMigrationCommand.class,
            RunCommand.class,
            MirrorCommand.class,
            RepublishCommand.class,
            VerifyCommand.class,
            WaitCommand.class,
            ReplayCommand.class,
            StatusCommand.class,
            RolesCommand.class,
            CleanupCommand.class,
            StreamCommand.class,
            StreamsCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {"", "Exit codes: 0 done, 1 failed or refused, 2 wrong command line, 3 verify could not check."})
public final class EventStoreCommand implements Runnable {

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces and informational logs.")
    boolean verbose;

    private final Environment environment;
    private final java.util.List<String> arguments;
    private final PrintWriter err;

    public EventStoreCommand(Environment environment) {
        this(environment, java.util.List.of(), new PrintWriter(System.err, true, StandardCharsets.UTF_8));
    }

    EventStoreCommand(Environment environment, java.util.List<String> arguments, PrintWriter err) {
        this.environment = environment;
        this.arguments = arguments;
        this.err = err;
    }

    public Environment environment() {
        return environment;
    }

    /** The command line as given, for the audit log (which masks secrets). */
    public java.util.List<String> arguments() {
        return arguments;
    }

    PrintWriter err() {
        return err;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required (see --help)");
    }

    public static void main(String[] args) {
        // Whatever any library prints directly to stdout or stderr is masked too.
        Secrets.install();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = execute(Environment.system(), out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** The command line of {@code root}, with the commands other modules add ({@link ExtraCommands}). */
    public static CommandLine commandLine(EventStoreCommand root) {
        CommandLine commandLine = new CommandLine(root);
        for (ExtraCommands extra : java.util.ServiceLoader.load(ExtraCommands.class)) {
            extra.commands().forEach(commandLine::addSubcommand);
        }
        return commandLine;
    }

    /** Runs one command line and returns its exit code; never throws, never exits the JVM. */
    public static int execute(Environment environment, PrintWriter out, PrintWriter err, String... args) {
        boolean verbose = Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"));
        Secrets.register(environment.variables(), args);
        Logging.configure(verbose);
        CommandLine commandLine = commandLine(new EventStoreCommand(environment, java.util.List.of(args), err));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler((ex, arguments) -> {
            err.println("eventstore: " + Secrets.line(describeUsageError(ex)));
            err.println("Try 'eventstore " + subcommandPath(ex.getCommandLine()) + "--help' for more information.");
            if (verbose) {
                Secrets.printStackTrace(ex, err);
            }
            return ExitCodes.USAGE;
        });
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            err.println("eventstore: " + Secrets.line(describe(ex)));
            if (verbose) {
                Secrets.printStackTrace(ex, err);
            }
            return ex instanceof CommandFailedException failed ? failed.exitCode() : ExitCodes.FAILURE;
        });
        return commandLine.execute(args);
    }

    private static boolean fromFlyway(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getClass().getName().startsWith("org.flywaydb.") || t instanceof dev.eventstore.schema.SchemaException) {
                return true;
            }
        }
        return false;
    }

    /** One line for a failure during a command, without secrets. */
    public static String describe(Throwable failure) {
        if (failure instanceof CommandFailedException) {
            return PostgresErrors.mask(failure.getMessage());
        }
        java.sql.SQLException sql = PostgresErrors.sqlCause(failure);
        if (sql != null && "42501".equals(sql.getSQLState())) {
            if (fromFlyway(failure)) {
                // Flyway's report of a refused statement is pages long; the server's reason is the point.
                return PostgresErrors.describe(sql) + ": this role may not change or read the schema's migrations;"
                        + " run migrate, info and drop as the schema's owner (see eventstore roles --help)";
            }
            return PostgresErrors.describe(sql) + ": this login's group role does not allow it (see eventstore roles"
                    + " --help for what each group may do)";
        }
        if (failure instanceof EventStoreException) {
            return PostgresErrors.mask(failure.getMessage());
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException || t instanceof org.apache.kafka.common.errors.TimeoutException) {
                return "Kafka did not answer in time: " + PostgresErrors.mask(String.valueOf(t.getMessage()))
                        + " (is it running, and is kafka.bootstrap.servers right?)";
            }
        }
        return PostgresErrors.describe(failure);
    }

    /**
     * picocli lists unmatched arguments with their values; a mistyped password option would
     * print the password. Only option names are named here.
     */
    static String describeUsageError(ParameterException ex) {
        if (ex instanceof UnmatchedArgumentException unmatched) {
            List<String> options = unmatched.getUnmatched().stream()
                    .filter(a -> a.startsWith("-"))
                    .map(a -> a.contains("=") ? a.substring(0, a.indexOf('=')) : a)
                    .collect(Collectors.toList());
            if (!options.isEmpty()) {
                return (options.size() == 1 ? "unknown option " : "unknown options ") + String.join(", ", options);
            }
            return "unexpected argument" + (unmatched.getUnmatched().size() == 1 ? "" : "s")
                    + " (" + unmatched.getUnmatched().size() + ") after the command";
        }
        return PostgresErrors.mask(ex.getMessage());
    }

    private static String subcommandPath(CommandLine commandLine) {
        StringBuilder path = new StringBuilder();
        for (CommandLine c = commandLine; c != null && c.getParent() != null; c = c.getParent()) {
            path.insert(0, c.getCommandName() + " ");
        }
        return path.toString();
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = EventStoreCommand.class.getPackage().getImplementationVersion();
            return new String[] {"eventstore " + (version == null ? "development" : version)};
        }
    }
}
