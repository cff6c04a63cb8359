package dev.eventstore.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.EventMetadata;
import dev.eventstore.RecordedEvent;
import dev.eventstore.testing.EventRecordContract;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The tests' record builder writes what every deployment of the bridge writes: the shared contract. */
class EventRecordsTest {

    @Test
    void binaryRecordsPassTheBridgesRecordContract() {
        String metadata = EventMetadata.builder().correlationId("game-7").causationId("cmd-3").actor("player-1").build().toJson();
        RecordedEvent event = new RecordedEvent(77, "game-7", 3, "RoundStarted", 1,
                "{\"gameId\":\"game-7\",\"round\":1}", metadata, Instant.parse("2024-05-01T12:34:56.789012Z"));

        var record = EventRecords.consumed(EventRecords.binary(event, EventRecords.categoryTopic("eventstore", "game-7")), 0, 0);

        EventRecordContract.assertRecord(record, event, "eventstore", EventRecords.SOURCE);
        assertThat(EventRecordContract.header(record, "ce_causationid")).isEqualTo("cmd-3");
    }
}
