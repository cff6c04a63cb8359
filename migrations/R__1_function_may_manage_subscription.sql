-- may_manage_subscription(p_subscription_id text) RETURNS boolean
-- Whether the session user may delete the positions of the subscription: it is (or is a member
-- of) the role subscription_owners names, or of the role that owns the schema (administrators,
-- superusers included).
-- Errors: none.
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION may_manage_subscription(p_subscription_id text) RETURNS boolean
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
DECLARE
  v_owner text;
BEGIN
  IF pg_catalog.pg_has_role(session_user,
       (SELECT n.nspowner FROM pg_catalog.pg_namespace n WHERE n.nspname = '${flyway:defaultSchema}'), 'MEMBER') THEN
    RETURN true;
  END IF;
  SELECT o.owner_role INTO v_owner FROM subscription_owners o WHERE o.subscription_id = p_subscription_id;
  IF v_owner IS NULL OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = v_owner) THEN
    RETURN false;
  END IF;
  RETURN pg_catalog.pg_has_role(session_user, v_owner, 'MEMBER');
END;
$$;
