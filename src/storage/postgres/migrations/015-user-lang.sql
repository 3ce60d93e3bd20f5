-- The language of a person's mails: 'en' when they registered or last logged in on the English
-- portal; NULL = German (the default).
ALTER TABLE users ADD COLUMN lang TEXT CHECK (lang IN ('de', 'en'));
