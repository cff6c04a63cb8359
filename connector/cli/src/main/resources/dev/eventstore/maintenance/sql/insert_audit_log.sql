-- Writes one audit row in the caller's transaction through record_audit (migration
-- V20240000000012), which takes who (db_user, session_user_name) and when (occurred_at, UTC)
-- from the session: the caller cannot choose them.
-- Parameters: 1 = command (text), 2 = arguments (text[], secrets already masked),
--   3 = details (jsonb as text, or NULL), 4 = os user (text), 5 = client host (text).
-- Returns one row: audit_id.
SELECT ${schema}.record_audit(?, ?, ?::jsonb, ?, ?) AS audit_id;
