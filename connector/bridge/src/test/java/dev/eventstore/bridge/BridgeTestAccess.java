package dev.eventstore.bridge;

import dev.eventstore.EventStore;
import java.util.HashMap;
import java.util.Map;

/** {@link BridgeTestSupport} for tests outside this package (the command line's). */
public final class BridgeTestAccess {

    private final BridgeTestSupport support = new BridgeTestSupport();

    public EventStore store() {
        return support.store;
    }

    public String topics() {
        return support.topics();
    }

    public void dropSlot() {
        support.dropSlot();
    }

    /** The test's bridge settings as the EVENTSTORE_* environment a process would get. */
    public Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        support.config().forEach((key, value) -> environment.put(BridgeConfig.environmentVariable(key), value.toString()));
        environment.put(BridgeConfig.environmentVariable(BridgeConfig.Key.HTTP_PORT), "-1");
        return environment;
    }
}
