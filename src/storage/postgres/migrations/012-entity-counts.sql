-- Entity counts per (tenant, type), so that count=true for one type (or for every entity of a
-- tenant, type '') sums a few rows instead of scanning the type's entities (issue #19). An entity
-- with several types counts once under each of them, as a query for one of its types finds it once.
--
-- A key has several rows whose sum is the count: a writer adds its change to a row of the key that
-- no other transaction holds (FOR UPDATE SKIP LOCKED), or inserts a row when every one is held, so
-- concurrent writers never wait for each other (nor deadlock) here. The rows of a key are at most
-- as many as transactions ever wrote the key at the same time.
CREATE TABLE entity_counts (
  tenant TEXT NOT NULL,
  type TEXT NOT NULL,
  n BIGINT NOT NULL
);
CREATE INDEX entity_counts_key ON entity_counts (tenant, type);

INSERT INTO entity_counts (tenant, type, n)
  SELECT e.tenant, t.type, count(*) FROM entities e, LATERAL (SELECT DISTINCT u AS type FROM unnest(e.types) u) t GROUP BY e.tenant, t.type;
INSERT INTO entity_counts (tenant, type, n) SELECT tenant, '', count(*) FROM entities GROUP BY tenant;

CREATE FUNCTION entity_counts_add(p_tenant TEXT, p_type TEXT, p_n BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE entity_counts SET n = n + p_n WHERE ctid = (
    SELECT ctid FROM entity_counts WHERE tenant = p_tenant AND type = p_type LIMIT 1 FOR UPDATE SKIP LOCKED);
  IF NOT FOUND THEN
    INSERT INTO entity_counts (tenant, type, n) VALUES (p_tenant, p_type, p_n);
  END IF;
END $$;

-- Inserts and deletes: once per statement (a batch of 1,000 entities adds to a few keys).
CREATE FUNCTION entity_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d record;
BEGIN
  FOR d IN SELECT x.tenant, x.type, count(*) AS n FROM (
      SELECT r.tenant, t.type FROM new_rows r, LATERAL (SELECT DISTINCT u AS type FROM unnest(r.types) u) t
      UNION ALL SELECT r.tenant, '' FROM new_rows r) x
    GROUP BY x.tenant, x.type ORDER BY x.tenant, x.type
  LOOP
    PERFORM entity_counts_add(d.tenant, d.type, d.n);
  END LOOP;
  RETURN NULL;
END $$;

CREATE FUNCTION entity_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d record;
BEGIN
  FOR d IN SELECT x.tenant, x.type, count(*) AS n FROM (
      SELECT r.tenant, t.type FROM old_rows r, LATERAL (SELECT DISTINCT u AS type FROM unnest(r.types) u) t
      UNION ALL SELECT r.tenant, '' FROM old_rows r) x
    GROUP BY x.tenant, x.type ORDER BY x.tenant, x.type
  LOOP
    PERFORM entity_counts_add(d.tenant, d.type, -d.n);
  END LOOP;
  RETURN NULL;
END $$;

-- A change of types (rare): per row, and only called when the types differ (the WHEN below).
CREATE FUNCTION entity_counts_retype() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t TEXT;
BEGIN
  FOR t IN SELECT DISTINCT u FROM unnest(NEW.types) u EXCEPT SELECT u FROM unnest(OLD.types) u ORDER BY 1 LOOP
    PERFORM entity_counts_add(NEW.tenant, t, 1);
  END LOOP;
  FOR t IN SELECT DISTINCT u FROM unnest(OLD.types) u EXCEPT SELECT u FROM unnest(NEW.types) u ORDER BY 1 LOOP
    PERFORM entity_counts_add(OLD.tenant, t, -1);
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER entities_count_insert AFTER INSERT ON entities
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION entity_counts_insert();
CREATE TRIGGER entities_count_delete AFTER DELETE ON entities
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION entity_counts_delete();
CREATE TRIGGER entities_count_retype AFTER UPDATE OF types ON entities
  FOR EACH ROW WHEN (OLD.types IS DISTINCT FROM NEW.types) EXECUTE FUNCTION entity_counts_retype();
