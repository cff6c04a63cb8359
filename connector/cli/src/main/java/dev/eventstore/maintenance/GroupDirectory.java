package dev.eventstore.maintenance;

/**
 * What Kafka knows of a consumer group, for {@link Cleanup} to tell a group that is gone from one
 * that is only quiet.
 */
public interface GroupDirectory {

    /**
     * @param known Kafka lists the group (a group that is not listed, or is dead, is unknown)
     * @param members its active members
     * @param committedOffsets whether it has committed offsets (an empty group keeps them until
     *     Kafka's offsets.retention.minutes expires them, and resumes from them)
     * @param state Kafka's state of the group, for the report
     */
    record Presence(boolean known, int members, boolean committedOffsets, String state) {

        public static Presence unknown() {
            return new Presence(false, 0, false, "unknown to Kafka");
        }

        /** Gone: unknown to Kafka, or known without members and without committed offsets. */
        public boolean gone() {
            return !known || (members == 0 && !committedOffsets);
        }

        public String describe() {
            if (!known) {
                return "unknown to Kafka";
            }
            return "Kafka: " + state + ", " + members + (members == 1 ? " member" : " members")
                    + (committedOffsets ? ", committed offsets" : ", no committed offsets");
        }
    }

    Presence presence(String group) throws Exception;
}
