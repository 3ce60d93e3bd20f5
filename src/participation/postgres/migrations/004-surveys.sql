-- Surveys: the survey as a document; one answer per person and survey (primary key), its values one
-- row each (a choice, a scale point or a text) so the database counts them ("first" marks one row per
-- answered question: their sum is how many people answered it, without a count of distinct people);
-- the answer's document (its values) is what the person and the export read.
CREATE TABLE part_surveys (id TEXT PRIMARY KEY, process_slug TEXT NOT NULL, created_at TEXT NOT NULL, doc JSONB NOT NULL);
CREATE INDEX part_surveys_process ON part_surveys (process_slug, created_at COLLATE "C");
CREATE TABLE part_survey_answers (
  survey_id TEXT NOT NULL, user_id TEXT NOT NULL, created_at TEXT NOT NULL, doc JSONB NOT NULL,
  PRIMARY KEY (survey_id, user_id));
CREATE INDEX part_survey_answers_user ON part_survey_answers (user_id);
CREATE TABLE part_survey_values (
  survey_id TEXT NOT NULL, user_id TEXT NOT NULL, question_id TEXT NOT NULL, value INTEGER, text TEXT, first SMALLINT NOT NULL CHECK (first IN (0, 1)),
  CHECK ((value IS NULL) <> (text IS NULL)),
  FOREIGN KEY (survey_id, user_id) REFERENCES part_survey_answers (survey_id, user_id) ON DELETE CASCADE ON UPDATE CASCADE);
CREATE INDEX part_survey_values_count ON part_survey_values (survey_id, question_id, value, first);
CREATE INDEX part_survey_values_answer ON part_survey_values (survey_id, user_id);
