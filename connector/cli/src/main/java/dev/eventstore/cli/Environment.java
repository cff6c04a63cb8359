package dev.eventstore.cli;

import java.util.Map;

/**
 * The process environment as the commands see it. Injected rather than read from
 * {@link System#getenv()} so that tests can run a command in-process with the environment a user
 * would have.
 */
public record Environment(Map<String, String> variables) {

    public static Environment system() {
        return new Environment(System.getenv());
    }

    /** The variable's value, or {@code null} when it is unset or blank. */
    public String get(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** The first non-null of {@code explicit} and the variable {@code name}. */
    public String orElse(String explicit, String name) {
        return explicit != null ? explicit : get(name);
    }
}
