package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.RecordedEvent;
import dev.eventstore.connect.EventRecordTransform;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bridge's bytes are a Connect worker's: the transform, then Connect's String and header converters. */
class EventRecordEncoderTest {

    @ParameterizedTest
    @ValueSource(strings = {"binary", "structured"})
    void recordBytesEqualWhatConnectsConvertersWrite(String mode) {
        BridgeConfig config = BridgeConfig.load(properties(mode), Map.of());
        EventRecordEncoder encoder = new EventRecordEncoder(config);
        EventRecordTransform<SourceRecord> transform = new EventRecordTransform<>();
        transform.configure(config.transformProperties());
        StringConverter strings = new StringConverter();
        strings.configure(Map.of("converter.encoding", "UTF-8"), false);
        SimpleHeaderConverter headers = new SimpleHeaderConverter();
        headers.configure(Map.of());

        for (RecordedEvent event : List.of(
                new RecordedEvent(7, "game-42", 3, "ScoreChanged", 2, "{\"player\": \"Zoë 🎮\", \"score\": 7}",
                        "{\"correlation_id\": \"r-é\", \"causationId\": 12, \"note\": \"a\\\"b\"}",
                        Instant.parse("2026-12-07T08:00:00.123456Z")),
                new RecordedEvent(8, "chat-1", 1, "Said", 1, "{}", null, Instant.parse("1999-12-31T23:59:59Z")))) {
            ProducerRecord<byte[], byte[]> encoded = encoder.encode(event);
            SourceRecord connect = transform.apply(encoder.changeRecord(event));

            assertThat(encoded.topic()).isEqualTo(connect.topic());
            assertThat(encoded.timestamp()).isEqualTo(connect.timestamp());
            assertThat(encoded.key()).isEqualTo(strings.fromConnectData(connect.topic(), connect.keySchema(), connect.key()));
            assertThat(encoded.value())
                    .isEqualTo(strings.fromConnectData(connect.topic(), connect.valueSchema(), connect.value()));
            List<String> expected = new ArrayList<>();
            for (org.apache.kafka.connect.header.Header header : connect.headers()) {
                expected.add(header.key() + "=" + hex(headers.fromConnectHeader(connect.topic(), header.key(),
                        header.schema(), header.value())));
            }
            List<String> actual = new ArrayList<>();
            for (Header header : encoded.headers()) {
                actual.add(header.key() + "=" + hex(header.value()));
            }
            assertThat(actual).as(event.streamId()).isNotEmpty().containsExactlyElementsOf(expected);
        }
    }

    private static Properties properties(String mode) {
        Properties p = new Properties();
        p.setProperty("db.url", "jdbc:postgresql://localhost:5432/game");
        p.setProperty("db.user", "bridge");
        p.setProperty("kafka.bootstrap.servers", "localhost:9092");
        p.setProperty("cloudevents.mode", mode);
        return p;
    }

    private static String hex(byte[] bytes) {
        return bytes == null ? "null" : HexFormat.of().formatHex(bytes);
    }
}
