-- A birth date (8 digits, YYYYMMDD) typed into the search finds the current members born that day
-- through their ID numbers' 7th to 14th characters (issue 10): by the trigram index the province's
-- birth dates took 110 to 500 ms (every trigram of the date is common); by this index a few ms.
-- The same text serves SQLite and PostgreSQL; the search writes the same expression.
CREATE INDEX IF NOT EXISTS member_by_birth ON member ((substr(id_number, 7, 8))) WHERE left_on IS NULL;
