package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.net.URL;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The packaged logging configuration (src/main/resources/logback.xml), loaded as the command line loads it. */
class LoggingConfigurationTest {

    private static LoggerContext packaged() throws Exception {
        URL file = Path.of("src/main/resources/logback.xml").toUri().toURL();
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(file);
        return context;
    }

    @Test
    void debeziumsLagQueueOverflowWarningsAreSilenced() throws Exception {
        LoggerContext context = packaged();
        assertThat(context.getLogger("io.debezium.metrics.stats.MeasurementCollector").getEffectiveLevel())
                .isEqualTo(Level.ERROR);
        assertThat(context.getLogger("io.debezium.connector.postgresql.PostgresStreamingChangeEventSource")
                .isWarnEnabled()).as("Debezium's other warnings still show").isTrue();
        context.stop();
    }
}
