package dev.eventstore.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code @ExtendWith(EventStoreExtension.class)} with options, for a test class that does not
 * build the extension itself ({@link EventStoreExtension#builder()}). Every attribute left at its
 * default takes the run-wide setting or the extension's default.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(EventStoreExtension.class)
public @interface EventStoreTest {

    /** The database; {@code DEFAULT}: the run's {@code eventstore.test.database}, else embedded. */
    EventStoreExtension.Database database() default EventStoreExtension.Database.DEFAULT;

    /** The schema of this class; empty: a generated one, dropped after the class. */
    String schema() default "";

    /** When the store is emptied. */
    EventStoreExtension.Reset reset() default EventStoreExtension.Reset.BEFORE_EACH;

    /** Runs an embedded Kafka broker and the bridge beside the store (needs {@code eventstore-test-kafka}). */
    boolean endToEnd() default false;
}
