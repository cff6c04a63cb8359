package dev.eventstore.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventStore;
import dev.eventstore.testing.EventStoreExtension.Reset;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The builder: a named schema, reset once per class, the store from the field. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegisterExtensionIT {

    @RegisterExtension
    static final EventStoreExtension STORE = EventStoreExtension.builder()
            .schema("kit_register_it")
            .reset(Reset.BEFORE_ALL)
            .build();

    @Test
    @Order(1)
    void usesTheNamedSchema(EventStore store) {
        assertThat(STORE.eventStore()).isSameAs(store);
        assertThat(STORE.schema().value()).isEqualTo("kit_register_it");
        assertThat(STORE.counts().events()).isZero();
        STORE.appendTestStream("score-1", EventStoreExtension.createTestEvents(3));
    }

    /** BEFORE_ALL: what the first test wrote is still there. */
    @Test
    @Order(2)
    void keepsEventsBetweenTests() {
        assertThat(STORE.counts().events()).isEqualTo(3);
        assertThat(STORE.reset().events()).isEqualTo(3);
        assertThat(STORE.counts().events()).isZero();
    }
}
