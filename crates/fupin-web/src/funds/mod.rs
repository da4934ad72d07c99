//! Funds, projects, small loans and dividends on the web (issue 14, DOMAIN.md §14): a county's
//! funds page (the checks in words, charts of sources, allocations and disbursements), the project
//! library and a project's page, loans with the overdue first, an asset's dividend list (printable,
//! masked ID numbers, for the village notice board), and the household page's section of loans and
//! dividends. [`service`] holds the operations (scoped and authorised); [`api`] and [`pages`] are
//! thin. The rules are `fupin_core::funds`, the data `fupin_store::funds`.

pub mod api;
pub mod pages;
pub mod service;
pub mod text;

use fupin_store::funds::{
    Allocation, Asset, AssetIncome, Disbursement, DividendRow, FundSource, Loan, Project, Yuan,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `?area=` (default: the user's area) and `?year=` (default: the latest year with projects).
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FundsQuery {
    /// 区划前缀 / area-code prefix (default: the user's area).
    pub area: Option<String>,
    /// 年度 / year.
    pub year: Option<i32>,
}

/// Filters of the project library.
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// 区划前缀 / area-code prefix (default: the user's area).
    pub area: Option<String>,
    pub year: Option<i32>,
    /// `planned`, `underway`, `done`, `cancelled`.
    pub status: Option<String>,
    /// An allocation category (`industry`, `relief`, ...).
    pub kind: Option<String>,
}

/// `?year=` of an asset's dividends (default: the latest year with income).
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// An amount by a code (level, category, status, month).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Amount {
    pub code: String,
    pub amount: Yuan,
}

/// A county's funds in a year: the checks (when the session may read the county), sources,
/// allocations by category, disbursements by month, projects by status, loans and assets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    /// The area asked for.
    pub area: String,
    pub county: String,
    pub year: i32,
    /// The checks of fupin-core over the county's year (`null` for an area below the county).
    #[schema(value_type = Object)]
    pub report: Option<fupin_core::funds::Report>,
    pub sources: Vec<FundSource>,
    pub by_level: Vec<Amount>,
    pub by_category: Vec<Amount>,
    /// Disbursed by month (`YYYY-MM`) of the year.
    pub disbursed_by_month: Vec<Amount>,
    /// Projects of the area and year by status: (status, count).
    pub projects_by_status: Vec<(String, u64)>,
    pub project_count: u64,
    pub loan_count: u64,
    pub loan_amount: Yuan,
    pub overdue_loans: u64,
    pub assets: Vec<Asset>,
    /// Villages whose assets gave the village collective income in the year and in no earlier year.
    pub first_collective_income_villages: Vec<String>,
}

/// The project library.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectList {
    pub projects: Vec<Project>,
}

/// A project with its allocations and disbursements.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectDetail {
    pub project: Project,
    pub allocations: Vec<Allocation>,
    pub disbursements: Vec<Disbursement>,
    pub disbursed: Yuan,
}

/// A loan with what is overdue on it today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoanRow {
    pub loan: Loan,
    /// Unpaid amounts of repayments due before today.
    pub overdue: Yuan,
    /// The earliest unpaid due date, when overdue.
    pub overdue_since: Option<String>,
    /// The small-loan rules it breaks (`loan_amount`, ...).
    pub violations: Vec<String>,
}

/// Loans of an area, the overdue first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoanList {
    pub loans: Vec<LoanRow>,
}

/// The dividends of an asset in a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DividendList {
    pub asset: Asset,
    pub year: Option<i32>,
    pub income: Option<AssetIncome>,
    pub dividends: Vec<DividendRow>,
}

/// A year's income of an asset (its dividends are computed from it).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewIncome {
    pub year: i32,
    pub income: Yuan,
    /// The village collective's part (default 0).
    #[serde(default)]
    pub collective: Yuan,
}

/// What a household received: loans and dividends.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HouseholdFunds {
    pub loans: Vec<Loan>,
    pub dividends: Vec<DividendRow>,
}

/// The county of a funds table's rows (`GET /api/v1/funds/tables/{table}`).
#[derive(Debug, Deserialize)]
pub struct TableQuery {
    pub area: String,
}

/// A funds table's rows to import: objects by the sheet's English column keys.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TableImport {
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
}
