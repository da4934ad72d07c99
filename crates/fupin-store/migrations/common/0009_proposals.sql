-- Proposals of an exit, return or removal of a household, made by a village or township account and
-- decided by the county (separation of duties). The same text serves SQLite and PostgreSQL; rows are
-- keyed by county first. At most one pending proposal per household (a partial unique index).
CREATE TABLE IF NOT EXISTS proposal (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    household_number TEXT NOT NULL,
    area_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    reason TEXT,
    proposer TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    decision_note TEXT,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS proposal_by_area ON proposal (area_code, status);
CREATE INDEX IF NOT EXISTS proposal_by_household ON proposal (household_number);
CREATE UNIQUE INDEX IF NOT EXISTS proposal_one_pending ON proposal (county, household_number)
    WHERE status = 'pending';
