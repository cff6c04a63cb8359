-- Adds points to a player's line. Parameters: 1 player id (text), 2 points (bigint).
INSERT INTO ${schema}.leaderboard (player_id, points) VALUES (?, ?)
ON CONFLICT (player_id) DO UPDATE SET points = leaderboard.points + EXCLUDED.points
