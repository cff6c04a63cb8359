package dev.eventstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PostgresErrorsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Invalid value postgresql://u:S3cret@host:5432/db for db.url|Invalid value postgresql://***@host:5432/db for db.url",
        "jdbc:postgresql://u:S3cret@host:5432/db|jdbc:postgresql://***@host:5432/db",
        "unknown host u:S3cret@host|unknown host ***@host",
        "jdbc:postgresql://h/db?password=S3cret|jdbc:postgresql://h/db?password=***",
        "jdbc:postgresql://h/db?user=u&password=S3cret&ssl=true|jdbc:postgresql://h/db?user=u&password=***&ssl=true",
        "jdbc:postgresql://h/db?sslpassword=S3cret|jdbc:postgresql://h/db?sslpassword=***",
        "EVENTSTORE_DB_PASSWORD=S3cret|EVENTSTORE_DB_PASSWORD=***",
        "db.password = S3cret|db.password = ***",
        "sasl.jaas.config=x required username=\"a\" password=\"S3cret\";|sasl.jaas.config=x required username=\"a\" password=***;",
        "jdbc:postgresql://u:p@ss:w0rd@host/db|jdbc:postgresql://***@host/db",
        "PostgreSQL refused the login: FATAL: password authentication failed for user \"x\"|"
                + "PostgreSQL refused the login: FATAL: password authentication failed for user \"x\"",
        "CREATE ROLE x LOGIN PASSWORD '...' IN ROLE y|CREATE ROLE x LOGIN PASSWORD '...' IN ROLE y",
    })
    void masksEveryFormOfASecret(String text, String masked) {
        assertThat(PostgresErrors.mask(text)).isEqualTo(masked);
        assertThat(PostgresErrors.mask(text)).doesNotContain("S3cret", "w0rd");
    }

    @Test
    void registeredSecretsAreMaskedWhereverTheyAppear() {
        PostgresErrors.registerSecretsOf("jdbc:postgresql://admin:Registered-1@host/db?sslpassword=Registered-2");
        PostgresErrors.registerSecret("Registered-3");

        assertThat(PostgresErrors.mask("a Registered-1 b Registered-2 c Registered-3")).isEqualTo("a *** b *** c ***");
        assertThat(PostgresErrors.mask("admin")).as("the user name is no secret").isEqualTo("admin");
    }

    @Test
    void aLongArgumentIsMaskedInLinearTime() {
        String huge = "c".repeat(1_000_000) + " " + "d.".repeat(500_000) + " u:" + "e".repeat(100_000);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(PostgresErrors.mask(huge)).hasSize(huge.length()));
    }
}
