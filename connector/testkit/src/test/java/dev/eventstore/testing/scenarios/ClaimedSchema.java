package dev.eventstore.testing.scenarios;

import dev.eventstore.testing.EventStoreExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Run by {@code ParallelSchemasIT} while it holds schema {@value #SCHEMA} itself. */
public class ClaimedSchema {

    public static final String SCHEMA = "kit_claimed";

    @RegisterExtension
    static final EventStoreExtension STORE = EventStoreExtension.builder().schema(SCHEMA).build();

    @Test
    void neverRuns() {
        STORE.reset();
    }
}
