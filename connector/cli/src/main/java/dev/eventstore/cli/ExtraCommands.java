package dev.eventstore.cli;

import java.util.List;

/**
 * Commands another module adds to the command line, found with {@link java.util.ServiceLoader}
 * when {@link EventStoreCommand} starts: the developer tools ({@code dev}, {@code bench}) are
 * on the class path of a checkout's {@code bin/eventstore} and absent from the release archive,
 * which carries the operator's commands only.
 */
public interface ExtraCommands {

    /** picocli command objects, each annotated with its {@code @Command(name = ...)}. */
    List<Object> commands();
}
