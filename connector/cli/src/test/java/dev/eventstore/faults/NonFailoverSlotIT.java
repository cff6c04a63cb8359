package dev.eventstore.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventstore.cli.Cli;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bridge whose slot exists but is not a failover slot (made before {@code slot.failover}, or by
 * hand) starts, and says in one warning that a PostgreSQL failover would lose the slot; the
 * {@code status} command says the same.
 */
class NonFailoverSlotIT {

    private final List<Cli.Child> children = new ArrayList<>();
    private final FaultRig rig = FaultRig.shared();

    @TempDir
    Path directory;

    @AfterEach
    void cleanUp() {
        FaultRig.killAll(children);
        rig.dropSlot();
    }

    @Test
    void aSlotThatIsNotAFailoverSlotIsNamedAtStartAndInStatus() throws Exception {
        try (Connection connection = rig.connect(); PreparedStatement create = connection.prepareStatement(
                "SELECT pg_create_logical_replication_slot(?, 'pgoutput', false, false, false)")) {
            create.setString(1, rig.slot);
            create.execute();
        }
        Cli.Child bridge = rig.startChild(directory, Map.of());
        children.add(bridge);
        assertThat(bridge.errSoFar()).contains("Replication slot " + rig.slot + " is not a failover slot");

        Cli.Result status = rig.cli(Map.of()).run("status");
        assertThat(status.out()).as(status.all()).contains("failover: NOT a failover slot: a failover loses it");
    }
}
