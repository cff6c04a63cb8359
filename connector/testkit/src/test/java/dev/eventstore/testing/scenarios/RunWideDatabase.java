package dev.eventstore.testing.scenarios;

import dev.eventstore.EventStoreConfig;
import dev.eventstore.testing.EventStoreExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Run by {@code UrlDatabaseIT} with the run-wide settings pointing at a server of its own. */
@ExtendWith(EventStoreExtension.class)
public class RunWideDatabase {

    public static volatile String url;

    @Test
    void recordsWhereItRan(EventStoreConfig config) {
        EventStoreExtension.createTestStream("game-1", 1);
        url = config.url();
    }
}
