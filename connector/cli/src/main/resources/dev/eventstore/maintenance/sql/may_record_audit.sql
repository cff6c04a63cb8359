-- Whether the session may write audit rows (EXECUTE on record_audit), asked by an administrative
-- command before it does anything.
-- Parameters: none (${schema} is the validated event store schema).
-- Returns one row: may_record (boolean).
SELECT pg_catalog.has_function_privilege('${schema}.record_audit(text, text[], jsonb, text, text)', 'EXECUTE')
       AS may_record;
