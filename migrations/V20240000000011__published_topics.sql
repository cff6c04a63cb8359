-- Placeholder for the published-topics migration: the table cdc_topics with the columns the
-- grants of V20240000000012 name.
CREATE TABLE cdc_topics (
  topic text PRIMARY KEY,
  topic_id uuid NOT NULL,
  recorded_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
