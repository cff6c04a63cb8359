-- Initial setup: the three tables and their indexes, exactly as the specification's
-- sections 1.1 and 1.2 write them (column for column, default for default, names as written).
--
-- No schema name appears here: Flyway runs every migration with search_path set to the
-- configured event store schema (default "eventstore"), so the store never depends on "public".
--
-- created_at and updated_at are "timestamp" without time zone. The store always writes and
-- reads them as UTC: the library sets each session's TimeZone to UTC, and the functions of the
-- next migration write (now() AT TIME ZONE 'UTC') explicitly.

-- Event streams table
CREATE TABLE event_streams (
  stream_id text NOT NULL,
  stream_version bigint NOT NULL DEFAULT 0,
  created_at timestamp NOT NULL DEFAULT now(),
  updated_at timestamp NOT NULL DEFAULT now(),
  deleted_at timestamp,
  metadata jsonb,
  CONSTRAINT pk_event_streams PRIMARY KEY (stream_id)
);

-- Events table
CREATE TABLE events (
  event_id bigserial NOT NULL,
  stream_id text NOT NULL,
  stream_version bigint NOT NULL,
  event_type text NOT NULL,
  event_version integer NOT NULL DEFAULT 1,
  data jsonb NOT NULL,
  metadata jsonb,
  created_at timestamp NOT NULL DEFAULT now(),
  CONSTRAINT pk_events PRIMARY KEY (event_id),
  CONSTRAINT fk_events_stream FOREIGN KEY (stream_id)
    REFERENCES event_streams(stream_id),
  CONSTRAINT uq_events_stream_version UNIQUE (stream_id, stream_version)
);

-- Subscriptions table
CREATE TABLE subscriptions (
  subscription_id text NOT NULL,
  stream_id text NOT NULL,
  last_seen_event_id bigint,
  last_seen_stream_version bigint,
  created_at timestamp NOT NULL DEFAULT now(),
  updated_at timestamp NOT NULL DEFAULT now(),
  metadata jsonb,
  CONSTRAINT pk_subscriptions PRIMARY KEY (subscription_id, stream_id),
  CONSTRAINT fk_subscriptions_stream FOREIGN KEY (stream_id)
    REFERENCES event_streams(stream_id)
);

-- Event streams indexes
CREATE INDEX idx_event_streams_created_at ON event_streams(created_at);
CREATE INDEX idx_event_streams_updated_at ON event_streams(updated_at);
CREATE INDEX idx_event_streams_metadata ON event_streams USING gin (metadata);

-- Events indexes
CREATE INDEX idx_events_stream_id ON events(stream_id);
CREATE INDEX idx_events_created_at ON events(created_at);
CREATE INDEX idx_events_type ON events(event_type);
CREATE INDEX idx_events_data ON events USING gin (data);
CREATE INDEX idx_events_metadata ON events USING gin (metadata);

-- Subscriptions indexes
CREATE INDEX idx_subscriptions_stream_id ON subscriptions(stream_id);
CREATE INDEX idx_subscriptions_last_seen ON subscriptions(last_seen_event_id);
