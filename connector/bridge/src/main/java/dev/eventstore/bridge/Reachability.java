package dev.eventstore.bridge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one dependency (Kafka, PostgreSQL) answered its last check, and the log lines of an
 * outage: one WARN line when it stops answering, naming it and why, and one INFO line when it
 * answers again, with how long it was away. A check that fails again while it is away logs
 * nothing, so an outage is two lines however long it lasts and however often it is checked.
 * Thread-safe.
 */
final class Reachability {

    /** The logger of every outage line; the release's logback.xml shows it at INFO. */
    static final String LOGGER = "dev.eventstore.outage";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final String component;
    private final String dependency;
    private Boolean up; // null: not checked yet
    private long downSince;
    private String problem;

    /**
     * @param component who checks, for the log line ("bridge", "offset mirror")
     * @param dependency what is checked, as the log line names it ("Kafka at host:9092")
     */
    Reachability(String component, String dependency) {
        this.component = component;
        this.dependency = dependency;
    }

    /** The dependency answered. */
    synchronized void reached() {
        if (Boolean.FALSE.equals(up)) {
            log.info("The {} reaches {} again, after {} s away", component, dependency,
                    Math.max(0, (System.nanoTime() - downSince) / 1_000_000_000));
        }
        up = true;
        problem = null;
    }

    /** The dependency did not answer: why, in one line (no secret: masked by the caller). */
    synchronized void failed(String why) {
        problem = why;
        if (!Boolean.FALSE.equals(up)) {
            downSince = System.nanoTime();
            log.warn("The {} cannot reach {}: {}", component, dependency, why);
        }
        up = false;
    }

    /** Whether the last check succeeded (false before the first). */
    synchronized boolean up() {
        return Boolean.TRUE.equals(up);
    }

    /** Why the last check failed, or null. */
    synchronized String problem() {
        return up == null ? "not checked yet" : problem;
    }

    String dependency() {
        return dependency;
    }
}
