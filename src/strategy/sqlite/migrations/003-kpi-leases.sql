-- Which node evaluates a KPI in the current interval (a lease held until `until`, epoch ms). One
-- SQLite file has one node; the table keeps the engines' behaviour the same.
CREATE TABLE strategy_kpi_leases (id TEXT PRIMARY KEY, holder TEXT NOT NULL, until INTEGER NOT NULL);
