package dev.eventstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final StringWriter text = new StringWriter();
    private final PrintWriter err = new PrintWriter(text, true);

    /** Under the test runner stderr is no terminal: counted units print whole lines, the last one always. */
    @Test
    void countedUnitsPrintALineAtTheEndWhenNotOnATerminal() {
        try (Progress progress = Progress.counting(err, "events")) {
            progress.progress(0, 10);
            progress.progress(4, 10);
            assertThat(text.toString()).as("nothing before ten seconds").isEmpty();
            progress.progress(10, 10);
        }
        assertThat(text.toString()).matches("\\[={30}] 100% 10/10 events  [\\d,]+ events/s\\R");
    }

    @Test
    void anUnknownTotalIsDrawnNoMoreOftenThanAKnownOne() {
        try (Progress progress = Progress.counting(err, "events")) {
            progress.progress(1_234, -1);
            progress.progress(2_000, -1);
        }
        assertThat(text.toString()).as("within ten seconds of the start, off a terminal").isEmpty();
    }

    @Test
    void stepsAndCasesPrintALineEachWhenNotLive() {
        try (Progress progress = new Progress(err, false, 1)) {
            progress.phase("starting servers");
            progress.total(2);
            progress.startCase("appends", Duration.ofSeconds(30));
            progress.detail("not printed when not live");
        }
        assertThat(text.toString().split("\\R")).containsExactly(
                "bench: starting servers ... (0:00)", "bench: [1/2] appends (0:00)", "bench: done in 0:00");
    }

    @Test
    void aLiveCaseRedrawsOneLineWithItsBarAndErasesItAtTheEnd() throws Exception {
        try (Progress progress = new Progress(err, true, 3)) {
            progress.startCase("reads", Duration.ofMinutes(10));
            progress.detail("12 pages");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!text.toString().contains("12 pages") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(text.toString()).startsWith("\r[1/3] reads  [....................] 0.")
                    .contains("/600.0 s  12 pages  (total 0:0");
        }
        // The whole run's time: 0:00 unless a loaded machine stalls the test past a second.
        assertThat(text.toString()).doesNotContain("\n\r").matches("(?s).*\rbench: done in 0:\\d\\d\n");
    }

    @Test
    void barsAndMinutes() {
        assertThat(Progress.bar(10, 3, 10, '=', ' ')).isEqualTo("[===       ]");
        assertThat(Progress.bar(4, 9, 3, '#', '.')).isEqualTo("[####]");
        assertThat(Progress.bar(4, 1, 0, '#', '.')).isEqualTo("[....]");
        assertThat(Progress.minutes(TimeUnit.SECONDS.toNanos(754))).isEqualTo("12:34");
    }
}
