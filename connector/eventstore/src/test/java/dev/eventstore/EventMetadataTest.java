package dev.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventMetadataTest {

    @Test
    void wellKnownAndExtraKeysRoundTripThroughJson() {
        EventMetadata metadata = EventMetadata.builder().correlationId("game-7").causationId("cmd-1").actor("player-2")
                .put("client", Map.of("version", "1.4")).put("tags", List.of("ranked")).build();
        String json = metadata.toJson();
        assertThat(json).isEqualTo("{\"correlation_id\":\"game-7\",\"causation_id\":\"cmd-1\",\"actor\":\"player-2\","
                + "\"client\":{\"version\":\"1.4\"},\"tags\":[\"ranked\"]}");
        EventMetadata parsed = EventMetadata.fromJson(json);
        assertThat(parsed).isEqualTo(metadata);
        assertThat(parsed.correlationId()).isEqualTo("game-7");
        assertThat(parsed.causationId()).isEqualTo("cmd-1");
        assertThat(parsed.actor()).isEqualTo("player-2");
        assertThat(parsed.toBuilder().actor(null).build().actor()).isNull();
    }

    @Test
    void toStringShowsKeysOnly() {
        EventMetadata metadata = EventMetadata.builder().actor("secret-player").build();
        assertThat(metadata.toString()).isEqualTo("EventMetadata[actor]");
        assertThat(EventData.of("T", "{\"pii\":1}", metadata).toString()).isEqualTo("EventData[T v1]");
    }

    @Test
    void emptyMetadataIsStoredAsNull() {
        assertThat(EventData.of("T", "{}", EventMetadata.empty()).metadata()).isNull();
        assertThat(EventMetadata.fromJson(null).isEmpty()).isTrue();
        assertThatThrownBy(() -> EventMetadata.fromJson("[1]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("metadata is not a JSON object");
    }
}
