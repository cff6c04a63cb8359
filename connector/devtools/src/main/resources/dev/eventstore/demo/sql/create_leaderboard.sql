-- The demo read model: points per player, kept by a consumer group of the demo (a checkpointing
-- subscriber) in the same transaction as its subscription positions.
-- Parameters: none; ${schema} is the read model's schema (demo for the dev command).
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.leaderboard (
  player_id text NOT NULL,
  points bigint NOT NULL,
  correct_guesses bigint NOT NULL,
  updated_at timestamp NOT NULL,
  CONSTRAINT pk_leaderboard PRIMARY KEY (player_id)
);
