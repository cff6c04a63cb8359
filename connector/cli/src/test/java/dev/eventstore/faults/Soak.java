package dev.eventstore.faults;

/**
 * The size of the fault scenarios: small enough by default that the whole set runs in a few
 * minutes on a loaded 2-core machine, larger with {@code -Deventstore.soak=true} (see
 * RELIABILITY.md, "Soak runs").
 */
final class Soak {

    static final boolean ENABLED = Boolean.getBoolean("eventstore.soak");

    private Soak() {
    }

    /** {@code normal} by default, {@code soak} with {@code -Deventstore.soak=true}. */
    static int size(int normal, int soak) {
        return ENABLED ? soak : normal;
    }
}
