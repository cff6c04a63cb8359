package dev.eventstore.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GroupNamesTest {

    @Test
    void namesASubscriptionIdCannotBeAreFlagged() {
        assertThat(GroupNames.problem("leaderboard")).isNull();
        assertThat(GroupNames.problem("x".repeat(255))).isNull();
        assertThat(GroupNames.problem("x".repeat(256))).startsWith("256 characters");
        assertThat(GroupNames.problem("adv\u0001ctl")).contains("control characters");
        assertThat(GroupNames.problem("c1\u0085")).contains("control characters");
        assertThat(GroupNames.problem(" ")).isNotNull();
        assertThat(GroupNames.problem("")).isNotNull();
    }

    @Test
    void printableEscapesControlCharactersAndShortensLongNames() {
        assertThat(GroupNames.printable("adv\u0001ctl")).isEqualTo("\"adv\\x01ctl\"");
        assertThat(GroupNames.printable("x".repeat(300))).isEqualTo("\"" + "x".repeat(60) + "...\" (300 characters)");
    }
}
