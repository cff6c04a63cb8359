package dev.eventstore.testing.scenarios;

import dev.eventstore.testing.EventStoreExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Run by {@code EndToEndWithoutKafkaIT}: the end-to-end mode without its artifact on the class path. */
public class EndToEndWithoutKafka {

    @RegisterExtension
    static final EventStoreExtension STORE = EventStoreExtension.builder().endToEnd(true).build();

    @Test
    void neverRuns() {
        STORE.reset();
    }
}
