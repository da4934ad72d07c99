-- Finding the household a person is a current member of (the duplicate_person check of every import)
-- reads the index only.
DROP INDEX member_by_id_number;
CREATE INDEX member_by_id_number ON member (id_number, left_on, household_number);
