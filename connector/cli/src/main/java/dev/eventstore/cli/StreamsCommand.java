package dev.eventstore.cli;

import dev.eventstore.EventStore;
import dev.eventstore.InvalidRequestException;
import dev.eventstore.StreamInfo;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "streams", mixinStandardHelpOptions = true,
        description = {
            "List the streams whose metadata contains a JSON object, by stream id.",
            "Containment is jsonb @>: '{\"region\":\"eu\"}' finds every stream with that key and value,",
            "whatever else its metadata holds; '{}' finds every stream with metadata. The GIN index on",
            "the metadata answers it. Deleted streams are left out. At most --limit streams; --after",
            "the last one shown gives the next page."
        })
final class StreamsCommand extends DatabaseCommand {

    @Option(names = "--metadata", paramLabel = "JSON", required = true,
            description = "The JSON object the stream's metadata must contain.")
    String metadata;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "Most streams to list, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--after", paramLabel = "STREAM", description = "Start after this stream id (the next page).")
    String after;

    @Option(names = "--json", description = "Print JSON for machines: the streams' rows with their metadata.")
    boolean json;

    /** {@code streams --json}: the page, and the stream id to pass as --after for the next one (or null). */
    record JsonStreams(List<StreamCommand.JsonStream> streams, String next) {
    }

    @Override
    public Integer call() {
        try (EventStore store = StreamCommand.store(database, environment())) {
            List<StreamInfo> found;
            try {
                found = store.findStreamsByMetadata(metadata, after, limit);
            } catch (InvalidRequestException e) {
                throw StreamCommand.usage(e);
            }
            String next = found.size() == limit ? found.get(found.size() - 1).streamId() : null;
            if (json) {
                Json.print(out(), new JsonStreams(found.stream().map(StreamCommand.JsonStream::of).toList(), next));
                return ExitCodes.OK;
            }
            if (found.isEmpty()) {
                out().println("No stream's metadata contains " + metadata + ".");
                return ExitCodes.OK;
            }
            Table table = new Table("Stream", "Version", "Metadata");
            found.forEach(s -> table.add(s.streamId(), s.version(), s.metadata()));
            table.print(out());
            out().printf("%n%s.%s%n", count(found.size(), "stream", "streams"),
                    next == null ? "" : " More may follow: --after " + StreamCommand.quote(next));
            return ExitCodes.OK;
        }
    }
}
