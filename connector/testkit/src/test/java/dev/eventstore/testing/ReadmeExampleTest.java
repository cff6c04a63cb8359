package dev.eventstore.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The library README's complete test is the file of examples/getting-started, as it is (the examples' build runs it). */
class ReadmeExampleTest {

    private static final Path README = Path.of("../eventstore/README.md");
    private static final Path EXAMPLE_TESTS = Path.of("../../examples/getting-started/src/test/java/com/example/games");

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
