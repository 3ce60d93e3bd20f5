-- The search looks up each dataset a query word matches by id and needs only its state, tenant and
-- sort keys: this covering index answers that without reading the documents (docs/catalog.md).
CREATE INDEX catalog_datasets_keys ON catalog_datasets (id, state, tenant, modified, title_sort);
