-- refuse_event_changes() RETURNS trigger
-- Statement-level trigger function of events: refuses UPDATE, DELETE and TRUNCATE unless the
-- setting eventstore.maintenance is 'on' (SET LOCAL eventstore.maintenance = 'on' inside the
-- transaction, as reset does). Events are immutable: they are published to Kafka as they are.
-- Errors: ZE007.
--
-- Flyway runs this file again whenever it changes, after the versioned migrations, with
-- search_path set to the event store schema: CREATE OR REPLACE keeps the function's grants.

CREATE OR REPLACE FUNCTION refuse_event_changes() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = "${flyway:defaultSchema}", pg_temp
AS $$
BEGIN
  IF coalesce(current_setting('eventstore.maintenance', true), '') <> 'on' THEN
    RAISE EXCEPTION 'events are immutable: % on events is refused', TG_OP
      USING ERRCODE = 'ZE007',
            HINT = 'maintenance only: SET LOCAL eventstore.maintenance = ''on'' in the same transaction';
  END IF;
  RETURN NULL;
END;
$$;
