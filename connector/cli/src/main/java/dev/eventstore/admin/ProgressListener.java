package dev.eventstore.admin;

/** Told how far a long admin operation has come, e.g. to draw a progress bar. */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (done, total) -> { };

    /**
     * @param done units done so far
     * @param total units expected in all, or -1 when unknown
     */
    void progress(long done, long total);
}
