-- The registry (精准扶贫对象信息库), both backends: src/migrate.rs substitutes the {tokens} per backend.
-- Every household-owned row carries `county` (the first 6 digits of the area code) and every
-- key and unique constraint starts with it, so a distributed PostgreSQL can shard by county.
CREATE TABLE area (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL,
    parent TEXT,
    region TEXT,
    rural_population BIGINT
);

CREATE TABLE household (
    county TEXT NOT NULL,
    number TEXT NOT NULL,
    area_code TEXT NOT NULL,
    village_group TEXT,
    attribute TEXT,
    main_cause TEXT,
    secondary_causes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    monitoring TEXT,
    housing_grade TEXT NOT NULL,
    food BOOLEAN NOT NULL,
    clothing BOOLEAN NOT NULL,
    water BOOLEAN NOT NULL,
    phone TEXT,
    bank_account TEXT,
    version BIGINT NOT NULL,
    updated_at {timestamp} NOT NULL,
    PRIMARY KEY (county, number)
);
CREATE INDEX household_by_number ON household (number);
CREATE INDEX household_by_area ON household (area_code);

CREATE TABLE household_income (
    county TEXT NOT NULL,
    household_number TEXT NOT NULL,
    year BIGINT NOT NULL,
    wage BIGINT NOT NULL,
    business BIGINT NOT NULL,
    property BIGINT NOT NULL,
    transfer BIGINT NOT NULL,
    business_cost BIGINT NOT NULL,
    medical_expense BIGINT NOT NULL,
    education_expense BIGINT NOT NULL,
    disaster_loss BIGINT NOT NULL,
    other_expense BIGINT NOT NULL,
    PRIMARY KEY (county, household_number, year),
    FOREIGN KEY (county, household_number) REFERENCES household (county, number)
);

CREATE TABLE member (
    county TEXT NOT NULL,
    household_number TEXT NOT NULL,
    id_number TEXT NOT NULL,
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    labor TEXT,
    health TEXT,
    disability_grade BIGINT,
    school_status TEXT NOT NULL,
    medical_insurance BOOLEAN NOT NULL,
    pension_insurance BOOLEAN NOT NULL,
    work_place TEXT,
    work_months BIGINT,
    joined_on {date} NOT NULL,
    left_on {date},
    left_reason TEXT,
    PRIMARY KEY (county, household_number, id_number),
    FOREIGN KEY (county, household_number) REFERENCES household (county, number)
);
CREATE INDEX member_by_id_number ON member (id_number);

CREATE TABLE event (
    id {serial_id},
    county TEXT NOT NULL,
    household_number TEXT NOT NULL,
    id_number TEXT,
    kind TEXT NOT NULL,
    detail TEXT,
    reason TEXT,
    effective_date {date} NOT NULL,
    actor TEXT NOT NULL,
    recorded_at {timestamp} NOT NULL{serial_key},
    FOREIGN KEY (county, household_number) REFERENCES household (county, number)
);
CREATE INDEX event_by_household ON event (county, household_number, effective_date);
CREATE INDEX event_by_date ON event (effective_date);

CREATE TABLE audit_log (
    id {serial_id},
    county TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at {timestamp} NOT NULL,
    effective_date {date},
    before_json {json},
    after_json {json}{serial_key}
);
CREATE INDEX audit_by_entity ON audit_log (county, entity, entity_key);
