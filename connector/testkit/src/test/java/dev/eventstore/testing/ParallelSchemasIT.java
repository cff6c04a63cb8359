package dev.eventstore.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.eventstore.testing.scenarios.ClaimedSchema;
import dev.eventstore.testing.scenarios.ParallelA;
import dev.eventstore.testing.scenarios.ParallelB;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** Test classes in JUnit's parallel mode each get a schema of their own, and never share one. */
@EventStoreTest(schema = ClaimedSchema.SCHEMA)
class ParallelSchemasIT {

    /**
     * {@link ParallelA} and {@link ParallelB} pass only if both reach a barrier together (so they
     * run at the same time) and each reads back only its own events of the same stream id.
     */
    @Test
    void twoClassesRunInParallelOnSeparateSchemas() {
        ParallelA.SCHEMAS.clear();
        ParallelA.barrier = new CyclicBarrier(2);

        Events tests = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
                .selectors(selectClass(ParallelA.class), selectClass(ParallelB.class))
                .execute()
                .testEvents();

        tests.assertStatistics(stats -> stats.started(2).succeeded(2).failed(0));
        assertThat(ParallelA.SCHEMAS).hasSize(2).allSatisfy(schema -> assertThat(schema).startsWith("parallel"));
    }

    /** This class holds {@value ClaimedSchema#SCHEMA}: another class asking for it while this one runs fails. */
    @Test
    void aSchemaInUseIsRefused() {
        Events containers = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ClaimedSchema.class))
                .execute()
                .containerEvents();

        containers.assertThatEvents().haveExactly(1, event(container(ClaimedSchema.class),
                finishedWithFailure(message(m -> m.startsWith("schema kit_claimed on ")
                        && m.contains("is in use by " + ParallelSchemasIT.class.getName())))));
    }
}
