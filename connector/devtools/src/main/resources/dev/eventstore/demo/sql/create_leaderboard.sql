-- The dev command's demo read model: points per player, kept by the `leaderboard` consumer group
-- (a checkpointing subscriber) in the same transaction as its subscription positions.
-- Parameters: none.
CREATE SCHEMA IF NOT EXISTS demo;
CREATE TABLE IF NOT EXISTS demo.leaderboard (
  player_id text NOT NULL,
  points bigint NOT NULL,
  correct_guesses bigint NOT NULL,
  updated_at timestamp NOT NULL,
  CONSTRAINT pk_leaderboard PRIMARY KEY (player_id)
);
