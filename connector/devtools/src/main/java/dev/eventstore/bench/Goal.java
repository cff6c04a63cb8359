package dev.eventstore.bench;

/**
 * A speed goal of the issues, with what this run measured for it.
 *
 * @param issues the issues that set it, e.g. "3, 7"
 * @param goal the goal as the issue states it
 * @param measured what this run measured, or why it did not
 */
record Goal(String issues, String goal, Verdict verdict, String measured) {

    enum Verdict {
        MET("met"), NOT_MET("NOT met"), NOT_MEASURED("not measured");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }
}
