-- Funds, projects, small loans and dividends (DOMAIN.md §14, issue 14). The same text serves SQLite
-- and PostgreSQL; rows are keyed by county first. Money is whole fen (BIGINT), dates YYYY-MM-DD text,
-- flags 0/1. Every write goes to the audit log (entities fund_source, fund_year, fund_project,
-- fund_allocation, fund_disbursement, small_loan, income_asset, asset_income, cooperative).

-- Where the money came from: by year and level (central, province, city, county, helping_unit,
-- donation). The county's own special poverty fund is level `county`.
CREATE TABLE IF NOT EXISTS fund_source (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    year BIGINT NOT NULL,
    level TEXT NOT NULL,
    name TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    received_on TEXT,
    note TEXT,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS fund_source_by_year ON fund_source (county, year);

-- A county's year: local general fiscal revenue and the small-loan task.
CREATE TABLE IF NOT EXISTS fund_year (
    county TEXT NOT NULL,
    year BIGINT NOT NULL,
    local_revenue_fen BIGINT,
    loan_task_fen BIGINT,
    PRIMARY KEY (county, year)
);

-- The project library.
CREATE TABLE IF NOT EXISTS fund_project (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    year BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    village TEXT NOT NULL,
    budget_fen BIGINT NOT NULL,
    start_date TEXT,
    end_date TEXT,
    progress_pct BIGINT NOT NULL,
    status TEXT NOT NULL,
    households BIGINT NOT NULL,
    people BIGINT NOT NULL,
    benefit TEXT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS fund_project_by_village ON fund_project (village, year);

CREATE TABLE IF NOT EXISTS fund_allocation (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    year BIGINT NOT NULL,
    project TEXT NOT NULL,
    category TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    allocated_on TEXT NOT NULL,
    source TEXT,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS fund_allocation_by_year ON fund_allocation (county, year);

CREATE TABLE IF NOT EXISTS fund_disbursement (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    project TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    paid_on TEXT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS fund_disbursement_by_project ON fund_disbursement (county, project);

-- Small loans (扶贫小额信贷) to households, their repayment schedule and interest subsidies.
CREATE TABLE IF NOT EXISTS small_loan (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    household_number TEXT NOT NULL,
    village TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    term_months BIGINT NOT NULL,
    guarantee BIGINT NOT NULL,
    collateral BIGINT NOT NULL,
    start_date TEXT NOT NULL,
    bank TEXT,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS small_loan_by_household ON small_loan (household_number);
CREATE INDEX IF NOT EXISTS small_loan_by_village ON small_loan (village);

CREATE TABLE IF NOT EXISTS loan_repayment (
    county TEXT NOT NULL,
    loan TEXT NOT NULL,
    due_date TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    paid_fen BIGINT NOT NULL,
    paid_on TEXT,
    PRIMARY KEY (county, loan, due_date)
);

CREATE TABLE IF NOT EXISTS loan_subsidy (
    county TEXT NOT NULL,
    loan TEXT NOT NULL,
    year BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (county, loan, year)
);

-- Income-earning assets (光伏电站, 资产收益, 三变 shares), their beneficiary households with weights,
-- yearly income (the village collective's part and the households' part) and the dividends paid.
CREATE TABLE IF NOT EXISTS income_asset (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    village TEXT NOT NULL,
    capacity_kw TEXT,
    split TEXT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS income_asset_by_village ON income_asset (village);

CREATE TABLE IF NOT EXISTS asset_beneficiary (
    county TEXT NOT NULL,
    asset TEXT NOT NULL,
    household_number TEXT NOT NULL,
    weight TEXT NOT NULL,
    PRIMARY KEY (county, asset, household_number)
);

CREATE TABLE IF NOT EXISTS asset_income (
    county TEXT NOT NULL,
    asset TEXT NOT NULL,
    year BIGINT NOT NULL,
    income_fen BIGINT NOT NULL,
    collective_fen BIGINT NOT NULL,
    PRIMARY KEY (county, asset, year)
);

CREATE TABLE IF NOT EXISTS asset_dividend (
    county TEXT NOT NULL,
    asset TEXT NOT NULL,
    year BIGINT NOT NULL,
    household_number TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (county, asset, year, household_number)
);
CREATE INDEX IF NOT EXISTS asset_dividend_by_household ON asset_dividend (household_number);

CREATE TABLE IF NOT EXISTS cooperative (
    county TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    village TEXT NOT NULL,
    members BIGINT NOT NULL,
    poor_members BIGINT NOT NULL,
    supported BIGINT NOT NULL,
    PRIMARY KEY (county, id)
);
