package dev.eventstore.serializer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which Java class each event type name maps to, at which current version, and how older versions
 * are upcast to it. Immutable once built; thread-safe.
 *
 * <pre>{@code
 * EventTypeRegistry registry = EventTypeRegistry.builder()
 *         .register("GameStarted", GameStarted.class)              // version 1
 *         .register("PlayerRenamed", 2, PlayerRenamed.class)       // its schema at version 2
 *         .upcaster("PlayerRenamed", 1, data -> ...)               // how version 1 becomes 2
 *         .build();
 * }</pre>
 */
public final class EventTypeRegistry {

    /**
     * One registered event type.
     *
     * @param name the event type name stored in {@code events.event_type}
     * @param version the current version, written with new events
     * @param javaClass the class its data is read into (a record, usually)
     */
    public record EventType(String name, int version, Class<?> javaClass) {
    }

    private final Map<String, EventType> byName;
    private final Map<Class<?>, EventType> byClass;
    private final Map<String, Map<Integer, Upcaster>> upcasters;

    private EventTypeRegistry(Builder builder) {
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(builder.byName));
        this.byClass = Collections.unmodifiableMap(new LinkedHashMap<>(builder.byClass));
        Map<String, Map<Integer, Upcaster>> copy = new LinkedHashMap<>();
        builder.upcasters.forEach((name, steps) -> copy.put(name, Collections.unmodifiableMap(new TreeMap<>(steps))));
        this.upcasters = Collections.unmodifiableMap(copy);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this registry's registrations, to add more. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.byName.putAll(byName);
        builder.byClass.putAll(byClass);
        upcasters.forEach((name, steps) -> builder.upcasters.put(name, new TreeMap<>(steps)));
        return builder;
    }

    public Optional<EventType> byName(String eventType) {
        return Optional.ofNullable(byName.get(eventType));
    }

    public Optional<EventType> byClass(Class<?> javaClass) {
        return Optional.ofNullable(byClass.get(javaClass));
    }

    /** The registered type names, in registration order. */
    public Set<String> eventTypes() {
        return byName.keySet();
    }

    /** The upcaster from {@code fromVersion} to {@code fromVersion + 1} of {@code eventType}, if any. */
    public Optional<Upcaster> upcaster(String eventType, int fromVersion) {
        Map<Integer, Upcaster> steps = upcasters.get(eventType);
        return Optional.ofNullable(steps == null ? null : steps.get(fromVersion));
    }

    /** Collects registrations; {@link #build()} checks that each type's upcasters form a chain up to its version. */
    public static final class Builder {

        private final Map<String, EventType> byName = new LinkedHashMap<>();
        private final Map<Class<?>, EventType> byClass = new LinkedHashMap<>();
        private final Map<String, Map<Integer, Upcaster>> upcasters = new LinkedHashMap<>();

        private Builder() {
        }

        /** Registers {@code javaClass} as {@code eventType} at version 1. */
        public Builder register(String eventType, Class<?> javaClass) {
            return register(eventType, 1, javaClass);
        }

        /** Registers {@code javaClass} as {@code eventType}, currently at {@code version}. */
        public Builder register(String eventType, int version, Class<?> javaClass) {
            Objects.requireNonNull(eventType, "eventType");
            Objects.requireNonNull(javaClass, "javaClass");
            if (eventType.isBlank()) {
                throw new IllegalArgumentException("event type name is blank for " + javaClass.getName());
            }
            if (version < 1) {
                throw new IllegalArgumentException("version of " + eventType + " must be 1 or more, was " + version);
            }
            if (byName.containsKey(eventType)) {
                throw new IllegalArgumentException("event type " + eventType + " is already registered (as "
                        + byName.get(eventType).javaClass().getName() + ")");
            }
            if (byClass.containsKey(javaClass)) {
                throw new IllegalArgumentException(javaClass.getName() + " is already registered (as "
                        + byClass.get(javaClass).name() + ")");
            }
            EventType type = new EventType(eventType, version, javaClass);
            byName.put(eventType, type);
            byClass.put(javaClass, type);
            return this;
        }

        /** Registers how {@code fromVersion} of {@code eventType} becomes {@code fromVersion + 1}. */
        public Builder upcaster(String eventType, int fromVersion, Upcaster upcaster) {
            Objects.requireNonNull(upcaster, "upcaster");
            if (fromVersion < 1) {
                throw new IllegalArgumentException("upcaster of " + eventType + ": from version must be 1 or more");
            }
            Upcaster previous = upcasters.computeIfAbsent(eventType, k -> new TreeMap<>()).putIfAbsent(fromVersion, upcaster);
            if (previous != null) {
                throw new IllegalArgumentException("upcaster of " + eventType + " from version " + fromVersion
                        + " is already registered");
            }
            return this;
        }

        public EventTypeRegistry build() {
            for (Map.Entry<String, Map<Integer, Upcaster>> entry : upcasters.entrySet()) {
                EventType type = byName.get(entry.getKey());
                if (type == null) {
                    throw new IllegalArgumentException("upcaster registered for unknown event type " + entry.getKey());
                }
                int lowest = ((TreeMap<Integer, Upcaster>) entry.getValue()).firstKey();
                for (int v = lowest; v < type.version(); v++) {
                    if (!entry.getValue().containsKey(v)) {
                        throw new IllegalArgumentException("upcasters of " + type.name() + " have a gap: none from version "
                                + v + " to " + (v + 1));
                    }
                }
                int highest = ((TreeMap<Integer, Upcaster>) entry.getValue()).lastKey();
                if (highest >= type.version()) {
                    throw new IllegalArgumentException("upcaster of " + type.name() + " from version " + highest
                            + " goes past its current version " + type.version());
                }
            }
            return new EventTypeRegistry(this);
        }
    }
}
