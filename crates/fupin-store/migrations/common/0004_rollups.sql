-- What the whole-registry scan and the dashboards read, kept with every write.
--
-- On each household row: the number of current members, and compact copies of what the exit check
-- and monitoring read, so that a scan reads one row per household and no other table:
--   rule_members: the current members by seq, ';'-separated, each 'ID_NUMBER:SCHOOL_STATUS:INSURED(0|1)';
--   rule_income: the latest year's income, 'YEAR,WAGE,BUSINESS,PROPERTY,TRANSFER,BUSINESS_COST,
--                MEDICAL,EDUCATION,DISASTER,OTHER' in fen, or NULL without income.
ALTER TABLE household ADD COLUMN people BIGINT NOT NULL DEFAULT 0;
ALTER TABLE household ADD COLUMN rule_members TEXT NOT NULL DEFAULT '';
ALTER TABLE household ADD COLUMN rule_income TEXT;

UPDATE household SET
    people = (SELECT COUNT(*) FROM member m
              WHERE m.county = household.county AND m.household_number = household.number AND m.left_on IS NULL),
    rule_members = COALESCE((SELECT {string_agg}(x, ';' ORDER BY seq) FROM (
              SELECT m.seq AS seq, m.id_number || ':' || m.school_status || ':' || {bool_text(m.medical_insurance)} AS x FROM member m
              WHERE m.county = household.county AND m.household_number = household.number AND m.left_on IS NULL) s), ''),
    rule_income = (SELECT CAST(i.year AS TEXT) || ',' || CAST(i.wage AS TEXT) || ',' || CAST(i.business AS TEXT) || ','
              || CAST(i.property AS TEXT) || ',' || CAST(i.transfer AS TEXT) || ',' || CAST(i.business_cost AS TEXT) || ','
              || CAST(i.medical_expense AS TEXT) || ',' || CAST(i.education_expense AS TEXT) || ','
              || CAST(i.disaster_loss AS TEXT) || ',' || CAST(i.other_expense AS TEXT)
              FROM household_income i WHERE i.county = household.county AND i.household_number = household.number
              ORDER BY i.year DESC LIMIT 1);

-- Dashboard figures by area, summed from the villages up (src/rollup.rs). depth is the length of the
-- area prefix (0 for the whole registry, 2, 4, 6, 9, 12); year 0 holds the current figures
-- ('status:CODE', 'monitoring:CODE', 'cause:CODE', 'rural'), a calendar year that year's change
-- report ('identified', 'exited', 'returned', 'removed', 'natural_increase', 'natural_decrease',
-- 'events') and the change of the year-end stock since the year before ('end:STATUS').
-- Aggregates of many counties: not household-owned, so not keyed by county.
CREATE TABLE rollup (
    depth BIGINT NOT NULL,
    area TEXT NOT NULL,
    year BIGINT NOT NULL,
    item TEXT NOT NULL,
    households BIGINT NOT NULL,
    people BIGINT NOT NULL,
    PRIMARY KEY (depth, area, year, item)
){without_rowid};

-- Villages whose roll-ups are out of date; every write marks its villages, a refresh empties it.
CREATE TABLE rollup_dirty (
    area TEXT NOT NULL PRIMARY KEY
);

INSERT INTO rollup_dirty (area) SELECT area_code FROM household UNION SELECT code FROM area WHERE level = 'village';
