package dev.eventstore.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code /health/live} or {@code /health/ready} answers: the component ({@code bridge} or
 * {@code mirror}) and each check by name, with its state and a detail; {@code UP} (HTTP 200)
 * when every check is up, else {@code DOWN} (HTTP 503):
 * <pre>{"status":"DOWN","component":"mirror","checks":{"kafka":{"status":"DOWN","detail":"..."},...}}</pre>
 *
 * @param component {@code bridge} or {@code mirror}
 * @param checks the checks in the order shown
 */
public record HealthReport(String component, List<Check> checks) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One check.
     *
     * @param name its key in the JSON body
     * @param up whether it passes
     * @param detail one line on what was seen (null: none)
     */
    public record Check(String name, boolean up, String detail) {
    }

    public boolean up() {
        return checks.stream().allMatch(Check::up);
    }

    /** The check of that name, or null. */
    public Check check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", up() ? "UP" : "DOWN");
        json.put("component", component);
        Map<String, Object> byName = new LinkedHashMap<>();
        for (Check check : checks) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("status", check.up() ? "UP" : "DOWN");
            if (check.detail() != null) {
                entry.put("detail", check.detail());
            }
            byName.put(check.name(), entry);
        }
        json.put("checks", byName);
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
