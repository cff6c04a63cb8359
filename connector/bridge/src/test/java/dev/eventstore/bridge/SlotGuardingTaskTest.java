package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stored position the slot check compares with the slot, and how it is written for PostgreSQL. */
class SlotGuardingTaskTest {

    @Test
    void theStoredPositionIsWhatDebeziumConfirmsToTheSlot() {
        // Debezium confirms lsn_commit when it has one, else the last completely processed position.
        assertThat(SlotGuardingTask.storedPosition(Map.of("lsn", 30L, "lsn_proc", 20L, "lsn_commit", 10L))).isEqualTo(10L);
        assertThat(SlotGuardingTask.storedPosition(Map.of("lsn", 30L, "lsn_proc", 20L))).isEqualTo(20L);
        assertThat(SlotGuardingTask.storedPosition(Map.of("lsn", 30))).isEqualTo(30L);
    }

    @Test
    void noOffsetsOrASnapshotInProgressAreNotChecked() {
        assertThat(SlotGuardingTask.storedPosition(null)).isNull();
        assertThat(SlotGuardingTask.storedPosition(Map.of())).isNull();
        assertThat(SlotGuardingTask.storedPosition(Map.of("lsn", 30L, "snapshot", true))).isNull();
    }

    @Test
    void positionsAreWrittenAsPostgresWritesThem() {
        assertThat(SlotGuardingTask.lsnText(0x16149B0L)).isEqualTo("0/16149B0");
        assertThat(SlotGuardingTask.lsnText(0x2_0000_00A0L)).isEqualTo("2/A0");
        assertThat(SlotGuardingTask.lsnText(0)).isEqualTo("0/0");
    }
}
