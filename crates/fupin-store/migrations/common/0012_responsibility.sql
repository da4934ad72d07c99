-- The responsibility network (issue 11, DOMAIN.md §11): units, cadres, work teams and their members,
-- enterprise-village pairings, responsibility letters, visits and their issues. Cadre-household
-- pairings stay in `pairing` (0006), which gains the reason a pairing ended. Dates are ISO text
-- (`YYYY-MM-DD`), as in `pairing`. `area` is the area-code prefix a record belongs to (its scope);
-- `county` (its first six digits, or the whole of a shorter prefix) keys every row like the registry's.
ALTER TABLE pairing ADD COLUMN end_reason TEXT;

CREATE TABLE resp_unit (
    county TEXT NOT NULL,
    code TEXT NOT NULL PRIMARY KEY,
    area TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX resp_unit_by_area ON resp_unit (area);

CREATE TABLE resp_cadre (
    county TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    area TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    rank TEXT NOT NULL,
    phone TEXT,
    account TEXT
);
CREATE INDEX resp_cadre_by_area ON resp_cadre (area);
CREATE INDEX resp_cadre_by_account ON resp_cadre (account);

CREATE TABLE resp_team (
    county TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    village TEXT NOT NULL,
    unit TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT
);
CREATE INDEX resp_team_by_village ON resp_team (village);

CREATE TABLE resp_team_member (
    county TEXT NOT NULL,
    team TEXT NOT NULL,
    cadre TEXT NOT NULL,
    role TEXT NOT NULL,
    first_secretary BOOLEAN NOT NULL,
    PRIMARY KEY (team, cadre)
);

CREATE TABLE resp_enterprise_pairing (
    county TEXT NOT NULL,
    unit TEXT NOT NULL,
    village TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    PRIMARY KEY (unit, village, start_date)
);
CREATE INDEX resp_enterprise_pairing_by_village ON resp_enterprise_pairing (village);

CREATE TABLE resp_letter (
    county TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    area TEXT NOT NULL,
    signer TEXT NOT NULL,
    level TEXT NOT NULL,
    signed_on TEXT NOT NULL
);
CREATE INDEX resp_letter_by_area ON resp_letter (area);

CREATE TABLE resp_visit (
    county TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    area_code TEXT NOT NULL,
    household_number TEXT NOT NULL,
    cadre TEXT NOT NULL,
    visit_date TEXT NOT NULL,
    findings TEXT
);
CREATE INDEX resp_visit_by_area_date ON resp_visit (area_code, visit_date);
CREATE INDEX resp_visit_by_cadre ON resp_visit (cadre);

CREATE TABLE resp_issue (
    county TEXT NOT NULL,
    id TEXT NOT NULL PRIMARY KEY,
    visit TEXT NOT NULL,
    text TEXT NOT NULL,
    measure TEXT,
    closed_on TEXT
);
CREATE INDEX resp_issue_by_visit ON resp_issue (visit);
