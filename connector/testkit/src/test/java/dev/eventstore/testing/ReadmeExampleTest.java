package dev.eventstore.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The library README's complete test is the example project's file, as it is (the example's build runs it). */
class ReadmeExampleTest {

    private static final Path README = Path.of("../eventstore/README.md");
    private static final Path EXAMPLE_TESTS = Path.of("../../examples/leaderboard/src/test/java/dev/eventstore/examples/leaderboard");

    @Test
    void theReadmesTestIsTheExamplesFile() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        Matcher block = Pattern.compile("<!-- example:begin (\\S+) -->\n```java\n(.*?)```\n<!-- example:end -->",
                Pattern.DOTALL).matcher(readme);

        assertThat(block.find()).as("an example block in " + README).isTrue();
        String file = Files.readString(EXAMPLE_TESTS.resolve(block.group(1)), StandardCharsets.UTF_8);
        assertThat(block.group(2)).isEqualTo(file);
    }
}
