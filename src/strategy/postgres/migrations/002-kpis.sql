-- KPIs (stored queries over live data) and the outcome of their latest evaluations.
CREATE TABLE strategy_kpis (id TEXT PRIMARY KEY, project TEXT, published BOOLEAN NOT NULL, doc JSONB NOT NULL);
CREATE INDEX strategy_kpis_project ON strategy_kpis (project);
CREATE TABLE strategy_kpi_states (id TEXT PRIMARY KEY, doc JSONB NOT NULL);
