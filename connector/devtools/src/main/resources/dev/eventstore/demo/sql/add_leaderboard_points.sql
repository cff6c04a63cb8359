-- Adds a correct guess's points to a player's row of the demo leaderboard (in ${schema}).
-- Parameters: 1 = player id (text), 2 = points (integer).
INSERT INTO ${schema}.leaderboard (player_id, points, correct_guesses, updated_at)
VALUES (?, ?, 1, now() AT TIME ZONE 'UTC')
ON CONFLICT (player_id) DO UPDATE
   SET points = ${schema}.leaderboard.points + excluded.points,
       correct_guesses = ${schema}.leaderboard.correct_guesses + 1,
       updated_at = excluded.updated_at;
