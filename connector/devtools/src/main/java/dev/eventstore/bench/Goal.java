package dev.eventstore.bench;

/**
 * A speed goal of the product, named by what it measures, with what this run measured for it.
 *
 * @param goal what is measured and the figure to reach
 * @param measured what this run measured, or why it did not
 */
record Goal(String goal, Verdict verdict, String measured) {

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
