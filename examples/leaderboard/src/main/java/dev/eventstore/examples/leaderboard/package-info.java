/**
 * A game-leaderboard service built on the event store: {@link dev.eventstore.examples.leaderboard.Games}
 * appends game events, {@link dev.eventstore.examples.leaderboard.Leaderboard} keeps a leaderboard
 * table exactly once from Kafka with a {@code CheckpointingSubscriber}, and
 * {@link dev.eventstore.examples.leaderboard.LeaderboardHttp} serves it
 * ({@link dev.eventstore.examples.leaderboard.LeaderboardApp} runs both).
 *
 * <p>May depend on the event store library and the consumer library (by their Maven coordinates),
 * and on the JDK's HTTP server.
 */
package dev.eventstore.examples.leaderboard;
