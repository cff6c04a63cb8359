package dev.eventstore.serializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventstore.EventData;
import dev.eventstore.EventMetadata;
import dev.eventstore.RecordedEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventSerializerTest {

    record AccountOpened(String accountId, String owner, Instant openedAt) {
    }

    /** Version 3: version 1 had "name", version 2 renamed it "owner", version 3 added "tier". */
    record AccountRenamed(String accountId, String owner, String tier) {
    }

    private static final EventTypeRegistry REGISTRY = EventTypeRegistry.builder()
            .register("AccountOpened", AccountOpened.class)
            .register("AccountRenamed", 3, AccountRenamed.class)
            .upcaster("AccountRenamed", 1, data -> {
                ObjectNode node = (ObjectNode) data;
                node.set("owner", node.remove("name"));
                return node;
            })
            .upcaster("AccountRenamed", 2, data -> ((ObjectNode) data).put("tier", "basic"))
            .build();

    private final EventSerializer serializer = new EventSerializer(REGISTRY);

    private static RecordedEvent recorded(EventData data) {
        return new RecordedEvent(1, "account-1", 1, data.eventType(), data.eventVersion(), data.data(), data.metadata(),
                Instant.EPOCH);
    }

    @Test
    void roundTripsARecordWithItsTypeVersionAndMetadata() {
        AccountOpened event = new AccountOpened("a-1", "ann", Instant.parse("2024-05-01T10:15:30.123Z"));
        EventData data = serializer.toEventData(event, EventMetadata.builder().actor("ann").build());
        assertThat(data.eventType()).isEqualTo("AccountOpened");
        assertThat(data.eventVersion()).isEqualTo(1);
        assertThat(data.data()).isEqualTo("{\"accountId\":\"a-1\",\"owner\":\"ann\",\"openedAt\":\"2024-05-01T10:15:30.123Z\"}");
        assertThat(data.eventMetadata().actor()).isEqualTo("ann");
        assertThat(serializer.deserialize(recorded(data))).isEqualTo(event);
        assertThat(serializer.deserialize(recorded(data), AccountOpened.class)).isEqualTo(event);
    }

    @Test
    void upcastsEveryOlderVersionToTheCurrentClass() {
        assertThat(serializer.deserialize("AccountRenamed", 1, "{\"accountId\":\"a-1\",\"name\":\"bob\"}"))
                .isEqualTo(new AccountRenamed("a-1", "bob", "basic"));
        assertThat(serializer.deserialize("AccountRenamed", 2, "{\"accountId\":\"a-1\",\"owner\":\"bob\"}"))
                .isEqualTo(new AccountRenamed("a-1", "bob", "basic"));
        assertThat(serializer.deserialize("AccountRenamed", 3, "{\"accountId\":\"a-1\",\"owner\":\"bob\",\"tier\":\"gold\"}"))
                .isEqualTo(new AccountRenamed("a-1", "bob", "gold"));
        assertThat(serializer.toEventData(new AccountRenamed("a", "b", "c")).eventVersion()).isEqualTo(3);
    }

    @Test
    void unknownPropertiesAreIgnored() {
        assertThat(serializer.deserialize("AccountOpened", 1, "{\"accountId\":\"a-1\",\"owner\":\"x\",\"added\":true}"))
                .isEqualTo(new AccountOpened("a-1", "x", null));
    }

    @Test
    void failuresNameTheTypeAndNeverTheData() {
        assertThatThrownBy(() -> serializer.deserialize("Nope", 1, "{}")).isInstanceOf(SerializationException.class)
                .hasMessage("event type Nope is not registered");
        assertThatThrownBy(() -> serializer.deserialize("AccountRenamed", 4, "{}"))
                .hasMessage("event type AccountRenamed version 4 is newer than this code knows (version 3): upgrade the reader");
        assertThatThrownBy(() -> serializer.deserialize("AccountOpened", 1, "{\"openedAt\":\"secret-not-a-date\"}"))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot read event type AccountOpened version 1 as ")
                .hasMessageContaining("[\"openedAt\"]")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> serializer.toEventData("a string")).isInstanceOf(SerializationException.class)
                .hasMessage("java.lang.String is not a registered event type");
    }

    @Test
    void registrationMistakesAreRefused() {
        assertThatThrownBy(() -> REGISTRY.toBuilder().register("AccountOpened", List.class))
                .hasMessageStartingWith("event type AccountOpened is already registered");
        assertThatThrownBy(() -> REGISTRY.toBuilder().register("Other", AccountOpened.class))
                .hasMessageStartingWith(AccountOpened.class.getName() + " is already registered");
        assertThatThrownBy(() -> EventTypeRegistry.builder().register("X", 3, AccountOpened.class)
                .upcaster("X", 1, d -> d).build())
                .hasMessage("upcasters of X have a gap: none from version 2 to 3");
        assertThatThrownBy(() -> EventTypeRegistry.builder().upcaster("Y", 1, d -> d).build())
                .hasMessage("upcaster registered for unknown event type Y");
        assertThatThrownBy(() -> EventTypeRegistry.builder().register("X", 1, AccountOpened.class)
                .upcaster("X", 1, d -> d).build())
                .hasMessage("upcaster of X from version 1 goes past its current version 1");
    }
}
