package dev.eventstore.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written {@code ce_time} formatter agrees with DateTimeFormatter everywhere. */
class EventTimeTest {

    private static final DateTimeFormatter REFERENCE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private static String reference(long micros) {
        return REFERENCE.format(EventRecordMapper.instantOfMicros(micros));
    }

    @Test
    void boundariesAndKnownValues() {
        assertThat(EventRecordMapper.rfc3339Micros(0)).isEqualTo("1970-01-01T00:00:00.000000Z");
        assertThat(EventRecordMapper.rfc3339Micros(-1)).isEqualTo("1969-12-31T23:59:59.999999Z");
        assertThat(EventRecordMapper.rfc3339Micros(1_714_564_800_123_456L)).isEqualTo("2024-05-01T12:00:00.123456Z");
        long[] edges = {
            -62_167_219_200_000_000L, // 0000-01-01T00:00:00Z
            253_402_300_799_999_999L, // 9999-12-31T23:59:59.999999Z
            951_782_400_000_000L, // 2000-02-29
            -62_167_219_200_000_001L, // before year 0: the fallback
            253_402_300_800_000_000L, // year 10000: the fallback
        };
        for (long micros : edges) {
            assertThat(EventRecordMapper.rfc3339Micros(micros)).as("%d", micros).isEqualTo(reference(micros));
        }
    }

    @Test
    void agreesWithDateTimeFormatterOnRandomInstants() {
        SplittableRandom random = new SplittableRandom(20_240_501L);
        for (int i = 0; i < 200_000; i++) {
            long micros = random.nextLong(-62_167_219_200_000_000L, 253_402_300_800_000_000L);
            assertThat(EventRecordMapper.rfc3339Micros(micros)).as("%d", micros).isEqualTo(reference(micros));
        }
    }
}
