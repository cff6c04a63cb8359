-- The best players. Parameters: 1 how many (int).
SELECT player_id, points FROM ${schema}.leaderboard ORDER BY points DESC, player_id LIMIT ?
