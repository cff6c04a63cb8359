package dev.eventstore.devtools;

import dev.eventstore.bench.BenchCommand;
import dev.eventstore.cli.ExtraCommands;
import java.util.List;

/** {@code dev} and {@code bench}, added to the command line of a checkout. */
public final class DeveloperCommands implements ExtraCommands {

    @Override
    public List<Object> commands() {
        return List.of(new DevCommand(), new BenchCommand());
    }
}
