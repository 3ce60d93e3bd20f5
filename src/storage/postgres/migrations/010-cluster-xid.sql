-- The cluster feed's catch-up by transaction id (docs/scaling.md#several-nodes): each feed row keeps
-- the id of the transaction that wrote it. A reader also notes the xmin of its snapshot (every
-- transaction below it has ended), so that it needs to read again only rows at or above that xmin,
-- however late they commit, instead of a fixed number of rows before the last one it saw.
-- Rows already there get the id of this migration's transaction (it commits before anyone reads
-- them by id); nodes of the previous version keep inserting without the column and get their own.
ALTER TABLE cluster_changes ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX cluster_changes_xid ON cluster_changes (xid);
