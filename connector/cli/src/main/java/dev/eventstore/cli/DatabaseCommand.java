package dev.eventstore.cli;

import dev.eventstore.schema.SchemaManager;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A command that works on the event store schema of one database. */
abstract class DatabaseCommand implements Callable<Integer> {

    @ParentCommand
    EventStoreCommand root;

    @Mixin
    DatabaseOptions database;

    @Spec
    CommandSpec spec;

    Environment environment() {
        return root.environment();
    }

    SchemaManager schemaManager() {
        return database.schemaManager(environment());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** "1 event", "2 events". */
    static String count(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }
}
