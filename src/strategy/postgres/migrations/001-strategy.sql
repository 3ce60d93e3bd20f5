-- The strategy module's tables (in the configured schema, see strategy.postgres.ts).
CREATE TABLE strategy_fields (id TEXT PRIMARY KEY, position INTEGER NOT NULL, doc JSONB NOT NULL);
CREATE TABLE strategy_organisations (id TEXT PRIMARY KEY, doc JSONB NOT NULL);
CREATE TABLE strategy_projects (slug TEXT PRIMARY KEY, field_id TEXT NOT NULL, title_de TEXT NOT NULL, doc JSONB NOT NULL);
CREATE INDEX strategy_projects_field ON strategy_projects (field_id);
CREATE TABLE strategy_events (id TEXT PRIMARY KEY, start_at TIMESTAMPTZ NOT NULL, end_at TIMESTAMPTZ, doc JSONB NOT NULL);
CREATE TABLE strategy_feedback (id TEXT PRIMARY KEY, at TIMESTAMPTZ NOT NULL, doc JSONB NOT NULL);
CREATE INDEX strategy_feedback_at ON strategy_feedback (at);
