-- Which node evaluates a KPI in the current interval: a lease held until `until` (several nodes on
-- one database evaluate each KPI once per interval).
CREATE TABLE strategy_kpi_leases (id TEXT PRIMARY KEY, holder TEXT NOT NULL, until TIMESTAMPTZ NOT NULL);
