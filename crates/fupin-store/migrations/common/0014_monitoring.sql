-- The return-to-poverty monitoring workflow (DOMAIN.md §13): signals (a self-report, a cadre's visit,
-- a department's data), cases from signal to county decision with every step (who, when, note,
-- documents' names), and risk eliminations with their evidence. Keyed by county first; dates are
-- `YYYY-MM-DD` text on both backends. At most one open case per household (a partial unique index).
CREATE TABLE IF NOT EXISTS monitoring_signal (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    area_code TEXT NOT NULL,
    source TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    phone TEXT,
    what TEXT NOT NULL,
    amount BIGINT,
    note TEXT,
    household_number TEXT,
    status TEXT NOT NULL,
    case_id TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS monitoring_signal_id ON monitoring_signal (id);
CREATE INDEX IF NOT EXISTS monitoring_signal_by_area ON monitoring_signal (area_code, status);
CREATE INDEX IF NOT EXISTS monitoring_signal_by_person ON monitoring_signal (id_number, reported_on);

CREATE TABLE IF NOT EXISTS monitoring_case (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    household_number TEXT NOT NULL,
    area_code TEXT NOT NULL,
    source TEXT NOT NULL,
    signal_date TEXT NOT NULL,
    signal_id TEXT,
    detail TEXT,
    step TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT,
    decided_on TEXT,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS monitoring_case_id ON monitoring_case (id);
CREATE INDEX IF NOT EXISTS monitoring_case_by_area ON monitoring_case (area_code, status);
CREATE INDEX IF NOT EXISTS monitoring_case_by_household ON monitoring_case (household_number);
CREATE UNIQUE INDEX IF NOT EXISTS monitoring_case_one_open ON monitoring_case (county, household_number)
    WHERE status = 'open';

CREATE TABLE IF NOT EXISTS monitoring_step (
    county TEXT NOT NULL,
    case_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    step TEXT NOT NULL,
    step_date TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT,
    documents TEXT NOT NULL DEFAULT '',
    outcome TEXT,
    category TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (county, case_id, seq)
);

CREATE TABLE IF NOT EXISTS monitoring_elimination (
    county TEXT NOT NULL,
    id {serial_id},
    household_number TEXT NOT NULL,
    case_id TEXT,
    decided_on TEXT NOT NULL,
    months_above_line BIGINT NOT NULL,
    rigid_expense_resolved BOOLEAN NOT NULL,
    social_security BOOLEAN,
    failed TEXT NOT NULL DEFAULT '',
    eliminated BOOLEAN NOT NULL,
    note TEXT,
    actor TEXT NOT NULL,
    recorded_at TEXT NOT NULL{serial_key}
);
CREATE INDEX IF NOT EXISTS monitoring_elimination_by_household
    ON monitoring_elimination (county, household_number);
