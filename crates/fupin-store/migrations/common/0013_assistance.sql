-- Household assistance (issue 12, DOMAIN.md §12): the plan of a household and year (一户一策) and
-- the measures delivered to it (帮扶措施). The same text serves SQLite and PostgreSQL; rows are keyed
-- by county first and carry the household's village code for the area scope. Amounts in fen.
CREATE TABLE IF NOT EXISTS assistance_plan (
    county TEXT NOT NULL,
    household_number TEXT NOT NULL,
    year BIGINT NOT NULL,
    area_code TEXT NOT NULL,
    paths TEXT NOT NULL DEFAULT '',
    target TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at {timestamp} NOT NULL,
    PRIMARY KEY (county, household_number, year)
);
CREATE INDEX IF NOT EXISTS assistance_plan_by_area ON assistance_plan (area_code, year);

-- `fund`: the fund or project that paid for the measure, a reference the funds capability resolves
-- (no foreign key: either may be recorded first).
CREATE TABLE IF NOT EXISTS assistance_measure (
    id {serial_id},
    county TEXT NOT NULL,
    household_number TEXT NOT NULL,
    area_code TEXT NOT NULL,
    person TEXT,
    kind TEXT NOT NULL,
    measure_date {date} NOT NULL,
    amount BIGINT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    fund TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at {timestamp} NOT NULL{serial_key}
);
CREATE INDEX IF NOT EXISTS assistance_measure_by_household
    ON assistance_measure (county, household_number, measure_date);
CREATE INDEX IF NOT EXISTS assistance_measure_by_area ON assistance_measure (area_code, measure_date);
CREATE INDEX IF NOT EXISTS assistance_measure_by_date ON assistance_measure (measure_date);
