-- Accounts, pairings and identification applications (the web application's own tables).
-- The same text serves SQLite and PostgreSQL. Household-owned rows carry `county` first in their keys.
CREATE TABLE IF NOT EXISTS app_user (
    name TEXT NOT NULL PRIMARY KEY,
    role TEXT NOT NULL,
    area TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS pairing (
    county TEXT NOT NULL,
    household_number TEXT NOT NULL,
    cadre TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    PRIMARY KEY (county, household_number, cadre, start_date)
);
CREATE INDEX IF NOT EXISTS pairing_by_cadre ON pairing (cadre);

CREATE TABLE IF NOT EXISTS application (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    area_code TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    members BIGINT NOT NULL,
    reason TEXT NOT NULL,
    step TEXT NOT NULL,
    rejected BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS application_by_area ON application (area_code);

CREATE TABLE IF NOT EXISTS application_step (
    county TEXT NOT NULL,
    application_id TEXT NOT NULL,
    step TEXT NOT NULL,
    outcome TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (county, application_id, step)
);

CREATE TABLE IF NOT EXISTS village_indicator (
    county TEXT NOT NULL,
    area_code TEXT NOT NULL,
    indicator TEXT NOT NULL,
    ok BOOLEAN NOT NULL,
    PRIMARY KEY (county, area_code, indicator)
);
