-- Extra header fields of an outgoing mail as a JSON object (e.g. List-Unsubscribe and
-- List-Unsubscribe-Post of RFC 8058 on participation notices); NULL = none.
ALTER TABLE mail_outbox ADD COLUMN headers TEXT;
