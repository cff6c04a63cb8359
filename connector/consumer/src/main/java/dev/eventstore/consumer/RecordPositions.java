package dev.eventstore.consumer;

import dev.eventstore.jdbc.PostgresErrors;
import java.sql.SQLException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** How the subscriber names records, events and failures: in its positions, log lines and errors. */
final class RecordPositions {

    private RecordPositions() {
    }

    /** The record's Kafka position as the JSON kept in the subscription's metadata. */
    static String checkpoint(ConsumerRecord<?, ?> record) {
        StringBuilder json = new StringBuilder(64).append("{\"topic\":\"");
        for (char ch : record.topic().toCharArray()) {
            if (ch == '"' || ch == '\\') {
                json.append('\\');
            }
            json.append(ch);
        }
        return json.append("\",\"partition\":").append(record.partition())
                .append(",\"offset\":").append(record.offset()).append('}').toString();
    }

    /** {@code topic-partition@offset}. */
    static String position(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    /** The event's stream position, id, type and Kafka position; never its contents. */
    static String describe(ConsumedEvent event) {
        return event.streamId() + "@" + event.streamVersion() + " (event " + event.eventId() + ", " + event.eventType()
                + ") at " + event.position();
    }

    /** One line: the exception's class and the first line of its message (a driver's Detail line, with values, is left out). */
    static String oneLine(Throwable e) {
        if (e == null) {
            return "unknown cause";
        }
        String message = e instanceof SQLException ? PostgresErrors.describe(e) : e.getMessage();
        if (message != null) {
            int newline = message.indexOf('\n');
            message = (newline >= 0 ? message.substring(0, newline) : message).strip();
        }
        return e.getClass().getSimpleName() + (message == null || message.isEmpty() ? "" : ": " + message);
    }
}
