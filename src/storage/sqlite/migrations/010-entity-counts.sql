-- Entity counts per (tenant, type), so that count=true for one type (or for every entity of a
-- tenant) reads one row instead of the type's index (issue #19). type '' counts every entity of
-- the tenant (no NGSI-LD type is empty). Triggers keep the rows in the transaction of every write
-- of entities and entity_types: an entity with several types counts once under each of them, as a
-- query for one of its types finds it once.
CREATE TABLE entity_counts (
  tenant TEXT NOT NULL,
  type TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (tenant, type)
) WITHOUT ROWID;

INSERT INTO entity_counts (tenant, type, n) SELECT tenant, type, count(*) FROM entity_types GROUP BY tenant, type;
INSERT INTO entity_counts (tenant, type, n) SELECT tenant, '', count(*) FROM entities GROUP BY tenant;

-- INSERT OR IGNORE of an existing (tenant, type, pk) inserts nothing and fires nothing.
CREATE TRIGGER entity_types_count_insert AFTER INSERT ON entity_types BEGIN
  INSERT INTO entity_counts (tenant, type, n) VALUES (NEW.tenant, NEW.type, 1)
    ON CONFLICT (tenant, type) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER entity_types_count_delete AFTER DELETE ON entity_types BEGIN
  UPDATE entity_counts SET n = n - 1 WHERE tenant = OLD.tenant AND type = OLD.type;
END;
CREATE TRIGGER entities_count_insert AFTER INSERT ON entities BEGIN
  INSERT INTO entity_counts (tenant, type, n) VALUES (NEW.tenant, '', 1)
    ON CONFLICT (tenant, type) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER entities_count_delete AFTER DELETE ON entities BEGIN
  UPDATE entity_counts SET n = n - 1 WHERE tenant = OLD.tenant AND type = '';
END;
