-- The strategy module's tables (its own database file next to the broker's, see strategy.sqlite.ts).
CREATE TABLE strategy_fields (id TEXT PRIMARY KEY, position INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE strategy_organisations (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE strategy_projects (slug TEXT PRIMARY KEY, field_id TEXT NOT NULL, title_de TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX strategy_projects_field ON strategy_projects (field_id);
CREATE TABLE strategy_events (id TEXT PRIMARY KEY, start_at TEXT NOT NULL, end_at TEXT, doc TEXT NOT NULL);
CREATE TABLE strategy_feedback (id TEXT PRIMARY KEY, at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX strategy_feedback_at ON strategy_feedback (at);
