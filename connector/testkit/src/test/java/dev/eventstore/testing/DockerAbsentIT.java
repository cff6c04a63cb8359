package dev.eventstore.testing;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Without Docker, a class asking for the container database is skipped (never failed), with its reason. */
class DockerAbsentIT {

    // The same as the failsafe report shows for ContainerDatabaseIT here: skipped, with this reason.

    @Test
    void theContainerClassIsSkippedWithOneLine() {
        assumeFalse(ContainerServer.dockerAvailable(), "Docker answers here: ContainerDatabaseIT runs for real");

        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ContainerDatabaseIT.class))
                .execute()
                .containerEvents()
                .assertThatEvents()
                .haveExactly(1, event(container(ContainerDatabaseIT.class), skippedWithReason(
                        "the container database needs Docker, and no Docker daemon answers here")));
    }
}
