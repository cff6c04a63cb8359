package dev.eventstore.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonTextTest {

    @Test
    void quoteWritesAStringThatAJsonParserReadsBack() throws Exception {
        String tricky = "quote \" backslash \\ slash / newline \n tab \t nul \u0000 bell \u0007 e\u0301 \ud83c\udfae";

        String quoted = JsonText.quote(tricky);

        assertThat(new ObjectMapper().readValue(quoted, String.class)).isEqualTo(tricky);
    }

    @Test
    void topLevelScalarsReadsStringsAndNumbersAndSkipsTheRest() {
        String json = " { \"s\" : \"a\\\"b\\u00e9\\n\", \"n\": -12.5E+3, \"t\": true, \"z\": null, "
                + "\"o\": {\"s\": \"inner\", \"a\": [1, \"]}\", {}]}, \"a\": [], \"last\": 7 } ";

        assertThat(JsonText.topLevelScalars(json))
                .containsExactlyInAnyOrderEntriesOf(Map.of("s", "a\"b\u00e9\n", "n", "-12.5E+3", "last", "7"));
    }

    @Test
    void namedMembersOnlyAreKeptAndTheRestIsCheckedAsStrictly() {
        String json = "{\"skip\": \"a\\\"b\", \"keep\": \"x\\u00e9\", \"n\": 3, \"plain\": \"as is\"}";

        assertThat(JsonText.topLevelScalars(json, Set.of("keep", "plain", "absent")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("keep", "x\u00e9", "plain", "as is"));
        for (String text : new String[] {"{\"skip\": \"\\x\", \"keep\": 1}", "{\"skip\": \"\\u12\", \"keep\": 1}",
                "{\"skip\": [\"\\q\"], \"keep\": 1}", "{\"skip\": \"open, \"keep\": 1"}) {
            assertThat(JsonText.topLevelScalars(text, Set.of("keep"))).as(text).isEmpty();
        }
    }

    @Test
    void malformedOrNonObjectTextGivesNoMembers() {
        for (String text : new String[] {"", "[]", "\"x\"", "{", "{\"a\" 1}", "{\"a\": 1,}", "{\"a\": \"\\x\"}",
                "{\"a\": 1} {}", "{\"a\": \"\\u12\"}", "{\"a\": tru}"}) {
            assertThat(JsonText.topLevelScalars(text)).as(text).isEmpty();
        }
        assertThat(JsonText.topLevelScalars("{}")).isEmpty();
    }
}
