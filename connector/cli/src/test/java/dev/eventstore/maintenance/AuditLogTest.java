package dev.eventstore.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The audit row never carries a secret. */
class AuditLogTest {

    @Test
    void secretsAreMaskedWhateverTheirForm() {
        assertThat(AuditLog.withoutSecrets(List.of("--db-password", "s3cret", "--force", "--db-password=s3cret",
                "--db-url", "jdbc:postgresql://db/game?user=u&password=s3cret", "--kafka.sasl.jaas.config", "x y z",
                "--api-token=abc", "--hard-delete-streams-older-than", "90d")))
                .containsExactly("--db-password", "***", "--force", "--db-password=***",
                        "--db-url", "jdbc:postgresql://db/game?user=u&password=***", "--kafka.sasl.jaas.config", "***",
                        "--api-token=***", "--hard-delete-streams-older-than", "90d")
                .noneMatch(a -> a.contains("s3cret") || a.contains("abc"));
    }

    @Test
    void ordinaryArgumentsStayAsGiven() {
        assertThat(AuditLog.withoutSecrets(List.of("--schema", "eventstore", "--dry-run")))
                .containsExactly("--schema", "eventstore", "--dry-run");
    }
}
