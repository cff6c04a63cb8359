-- Writes one audit row (who, when, what, arguments without secrets) in the caller's transaction.
-- Parameters: 1 = os user (text), 2 = client host (text), 3 = command (text),
--   4 = arguments (text[], secrets already masked), 5 = details (jsonb as text, or NULL).
-- db_user, session_user_name and occurred_at take the columns' defaults.
INSERT INTO ${schema}.audit_log (os_user, client_host, command, arguments, details)
VALUES (?, ?, ?, ?, ?::jsonb)
RETURNING audit_id;
