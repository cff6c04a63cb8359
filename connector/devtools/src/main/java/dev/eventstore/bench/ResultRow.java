package dev.eventstore.bench;

import java.util.Objects;

/**
 * One line of the benchmark's table: one subject (ours, a ceiling or a peer) measured on one
 * workload.
 *
 * @param workloadId stable identifier of the workload, e.g. {@code append.single.w8}
 * @param workload what was measured, for people
 * @param subjectId stable identifier of the subject, e.g. {@code eventstore}, {@code raw}
 * @param subject who did it, for people
 * @param role ours, or what it is measured against
 * @param status whether it ran
 * @param eventsPerSecond events per second (achieved rate for paced workloads); NaN when not run
 * @param latency the latency distribution, or {@code null} where none is meaningful
 * @param ratio ours ÷ this on the workload's {@link Basis}; {@code null} for our own row or when
 *     either side did not run
 * @param note what else was measured or why it did not run
 */
record ResultRow(String workloadId, String workload, String subjectId, String subject, Role role, Status status,
                 double eventsPerSecond, Latency latency, Double ratio, Basis basis, String note) {

    /** What a row is in its workload. */
    enum Role {
        /** This project's code. */
        OURS,
        /** The same work done as directly as possible on the same server: the most ours could reach. */
        CEILING,
        /** Another product doing the same work on the same server. */
        PEER,
        /** Ours under other conditions (an empty store beside a full one). */
        REFERENCE
    }

    enum Status {
        OK, SKIPPED, FAILED;

        String label() {
            return switch (this) {
                case OK -> "ok";
                case SKIPPED -> "not run";
                case FAILED -> "FAILED";
            };
        }
    }

    /** What the ratio compares. */
    enum Basis {
        /** ours events/s ÷ this events/s: above 1, ours is faster. */
        THROUGHPUT("events/s"),
        /** ours p99 ÷ this p99: below 1, ours is quicker. */
        P99_LATENCY("p99");

        private final String label;

        Basis(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    ResultRow {
        Objects.requireNonNull(workloadId, "workloadId");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(subjectId, "subjectId");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(basis, "basis");
        note = note == null ? "" : note;
    }

    static ResultRow measured(String workloadId, String workload, String subjectId, String subject, Role role,
                              Basis basis, double eventsPerSecond, Latency latency, String note) {
        return new ResultRow(workloadId, workload, subjectId, subject, role, Status.OK, eventsPerSecond, latency, null,
                basis, note);
    }

    static ResultRow notRun(String workloadId, String workload, String subjectId, String subject, Role role,
                            Basis basis, String reason) {
        return new ResultRow(workloadId, workload, subjectId, subject, role, Status.SKIPPED, Double.NaN, null, null,
                basis, reason);
    }

    static ResultRow failed(String workloadId, String workload, String subjectId, String subject, Role role,
                            Basis basis, String reason) {
        return new ResultRow(workloadId, workload, subjectId, subject, role, Status.FAILED, Double.NaN, null, null,
                basis, reason);
    }

    String id() {
        return workloadId + "/" + subjectId;
    }

    boolean ran() {
        return status == Status.OK;
    }

    ResultRow withRatio(Double value) {
        return new ResultRow(workloadId, workload, subjectId, subject, role, status, eventsPerSecond, latency, value,
                basis, note);
    }

    ResultRow withNote(String value) {
        return new ResultRow(workloadId, workload, subjectId, subject, role, status, eventsPerSecond, latency, ratio,
                basis, value);
    }
}
