-- The leaderboard table. Parameters: none (${schema} is the validated schema name).
CREATE TABLE IF NOT EXISTS ${schema}.leaderboard (
    player_id text PRIMARY KEY,
    points bigint NOT NULL
);
