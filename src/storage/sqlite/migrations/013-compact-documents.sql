-- Compact entity documents (issue #19, sqlite.document.ts): attribute names under known namespaces
-- as short keys; an attribute's type "Property" and its createdAt and modifiedAt left out where the
-- entity row says the same. The documents are rewritten in code (compactDocuments in
-- sqlite.database.ts), in this migration's transaction. The value indexes (ix_attr_*) address the
-- old keys: they are dropped there, and start-up creates them again (ensureAttributeIndexes).
SELECT 1;
