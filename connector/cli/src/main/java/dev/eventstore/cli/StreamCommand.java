package dev.eventstore.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventstore.EventStore;
import dev.eventstore.InvalidRequestException;
import dev.eventstore.StreamInfo;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Work on one stream: its metadata.",
        subcommands = {StreamCommand.Metadata.class})
final class StreamCommand implements Callable<Integer> {

    @ParentCommand
    EventStoreCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: metadata");
    }

    /** {@code --json} of {@code stream metadata} and {@code streams}: a stream's row, metadata as JSON. */
    record JsonStream(String streamId, long version, Instant createdAt, Instant updatedAt, Instant deletedAt,
                      JsonNode metadata) {

        static JsonStream of(StreamInfo info) {
            return new JsonStream(info.streamId(), info.version(), info.createdAt(), info.updatedAt(), info.deletedAt(),
                    parse(info.metadata()));
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode parse(String json) {
        try {
            return json == null ? null : MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The store over the database the options name. */
    static EventStore store(DatabaseOptions database, Environment environment) {
        return EventStore.builder(database.connection(environment).dataSource())
                .schema(database.schema(environment)).build();
    }

    /** A bad metadata or stream id argument is a usage error (exit 2). */
    static CommandFailedException usage(InvalidRequestException e) {
        return new CommandFailedException(e.getMessage(), ExitCodes.USAGE, e);
    }

    @Command(name = "metadata", mixinStandardHelpOptions = true,
            description = {
                "Show, set or merge a stream's metadata: a JSON object kept with the stream, not an event.",
                "--set replaces it ('{}' clears it); --merge adds its top-level keys and replaces those of",
                "the same name (shallow: a nested object is replaced whole). Either prints what the stream",
                "then holds. The stream must exist (its first append creates it) and not be deleted; the",
                "result may hold at most 65536 bytes. Writing needs the <schema>_writer role. Metadata is",
                "not published to Kafka."
            })
    static final class Metadata implements Callable<Integer> {

        @ParentCommand
        StreamCommand parent;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "STREAM", description = "The stream's id.")
        String streamId;

        static final class Write {
            @Option(names = "--set", paramLabel = "JSON", required = true,
                    description = "Replace the metadata with this JSON object.")
            String set;

            @Option(names = "--merge", paramLabel = "JSON", required = true,
                    description = "Merge this JSON object into the metadata (jsonb ||, top-level keys).")
            String merge;
        }

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Write write;

        @Option(names = "--json", description = "Print JSON for machines: the stream's row with its metadata.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (EventStore store = store(database, parent.root.environment())) {
                String action = null;
                try {
                    if (write != null && write.set != null) {
                        store.setStreamMetadata(streamId, write.set);
                        action = "Set";
                    } else if (write != null) {
                        store.mergeStreamMetadata(streamId, write.merge);
                        action = "Merged into";
                    }
                } catch (InvalidRequestException e) {
                    throw usage(e);
                }
                StreamInfo info;
                try {
                    info = store.streamInfo(streamId).orElseThrow(() -> new CommandFailedException(
                            "stream " + quote(streamId) + " not found"));
                } catch (InvalidRequestException e) {
                    throw usage(e);
                }
                if (json) {
                    Json.print(out, JsonStream.of(info));
                } else {
                    out.printf("%s stream %s (version %d%s): %s%n", action == null ? "Metadata of" : action + " the metadata of",
                            info.streamId(), info.version(), info.deleted() ? ", deleted at " + info.deletedAt() : "",
                            info.metadata() == null ? "none" : info.metadata());
                }
                return ExitCodes.OK;
            }
        }
    }

    static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
