//! The funds operations: scoped by [`AppState::area_for`] (reads of an area) and authorised by
//! [`crate::authz`] (`ReadFunds`, `WriteFunds`); the checks are fupin-core's.

use super::*;
use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::session::Session;
use crate::AppState;
use fupin_core::area::county_of;
use fupin_core::funds as rules;
use fupin_store::funds::{ProjectFilter, PROJECT_STATUSES};
use std::collections::BTreeMap;

/// The area asked for (default the session's), readable by the session; above a county, the
/// first county under it (funds are kept by county).
pub async fn area(st: &AppState, s: &Session, requested: Option<&str>) -> Result<String, ApiError> {
    let mut area = st.area_for(s, requested)?;
    if area.len() < 6 {
        if let Some(first) = st.dir.funds_counties(&area).await?.into_iter().next() {
            area = first;
        }
    }
    authz::check(&s.scope, Action::ReadFunds { area: &area })?;
    Ok(area)
}

/// The county of an area (its first six digits), or 400 for an area above a county.
pub fn county(area: &str) -> Result<String, ApiError> {
    if area.len() < 6 {
        return Err(ApiError::bad_request(
            "area_code",
            "请选择一个县 / choose a county (an area code of at least six digits)",
        ));
    }
    Ok(county_of(area).to_string())
}

/// The year asked for, else the latest year with projects in the county, else this year.
async fn year_of(st: &AppState, county: &str, year: Option<i32>) -> Result<i32, ApiError> {
    if let Some(y) = year {
        return Ok(y);
    }
    let projects = st.dir.projects(county, &ProjectFilter::default()).await?;
    Ok(projects
        .iter()
        .map(|p| p.year)
        .max()
        .unwrap_or_else(|| chrono::Datelike::year(&crate::registry::service::today())))
}

fn sum_by(items: impl Iterator<Item = (String, Yuan)>) -> Vec<Amount> {
    let mut m: BTreeMap<String, i64> = BTreeMap::new();
    for (code, amount) in items {
        *m.entry(code).or_default() += amount.fen();
    }
    m.into_iter()
        .map(|(code, fen)| Amount {
            code,
            amount: Yuan::from_fen(fen),
        })
        .collect()
}

/// The policy's funds rules for a county.
pub fn rules_for(st: &AppState, county: &str) -> Result<rules::Rules, ApiError> {
    rules::Rules::from_policy(&st.policies.for_area(county)).map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            e.code(),
            e.to_string(),
        )
    })
}

/// A county's (or a township's, a village's) funds in a year.
pub async fn overview(
    st: &AppState,
    s: &Session,
    requested: Option<&str>,
    year: Option<i32>,
) -> Result<Overview, ApiError> {
    let area = area(st, s, requested).await?;
    let county = county(&area)?;
    let year = year_of(st, &county, year).await?;
    // The county's own figures (revenue, sources, allocations) only for who reads the county.
    let whole_county = authz::may(&s.scope, Action::ReadFunds { area: &county }) && area == county;
    let (report, sources, allocations) = if whole_county {
        let input = st.dir.funds_input(year, &county).await?;
        let report = rules::check(&input, &rules_for(st, &county)?);
        let sources = st.dir.fund_sources(&county, year).await?;
        let allocations = st.dir.allocations(&county, Some(year)).await?;
        (Some(report), sources, allocations)
    } else {
        (None, vec![], vec![])
    };
    let by_level = sum_by(sources.iter().map(|x| (x.level.clone(), x.amount)));
    let by_category = sum_by(allocations.iter().map(|a| (a.category.clone(), a.amount)));
    let filter = ProjectFilter {
        year: Some(year),
        area: Some(area.clone()),
        ..ProjectFilter::default()
    };
    let projects = st.dir.projects(&county, &filter).await?;
    let ids: Vec<&str> = projects.iter().map(|p| p.id.as_str()).collect();
    let disbursed_by_month = sum_by(
        st.dir
            .disbursements(&county, None)
            .await?
            .into_iter()
            .filter(|d| ids.contains(&d.project.as_str()) && d.date.starts_with(&year.to_string()))
            .map(|d| (d.date.get(..7).unwrap_or_default().to_string(), d.amount)),
    );
    let projects_by_status = PROJECT_STATUSES
        .iter()
        .map(|st| {
            let n = projects.iter().filter(|p| p.status == *st).count() as u64;
            (st.to_string(), n)
        })
        .collect();
    let loans = st.dir.loans(&area, Some(year)).await?;
    let today = crate::registry::service::today().to_string();
    let overdue_loans = loans
        .iter()
        .filter(|l| {
            l.repayments
                .iter()
                .any(|r| r.due < today && r.paid.0 < r.amount.0)
        })
        .count() as u64;
    let assets = st.dir.assets(&area).await?;
    let first: Vec<String> =
        fupin_store::funds::first_collective_income(st.dir.as_ref(), &county, year)
            .await?
            .into_iter()
            .filter(|v| v.starts_with(&area))
            .collect();
    Ok(Overview {
        area,
        county,
        year,
        report,
        sources,
        by_level,
        by_category,
        disbursed_by_month,
        project_count: projects.len() as u64,
        projects_by_status,
        loan_count: loans.len() as u64,
        loan_amount: Yuan::from_fen(loans.iter().map(|l| l.amount.fen()).sum()),
        overdue_loans,
        assets,
        first_collective_income_villages: first,
    })
}

/// The project library of an area, filtered.
pub async fn projects(
    st: &AppState,
    s: &Session,
    q: &ProjectQuery,
) -> Result<Vec<Project>, ApiError> {
    let area = area(st, s, q.area.as_deref()).await?;
    let county = county(&area)?;
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    let filter = ProjectFilter {
        year: q.year,
        status: text(&q.status),
        kind: text(&q.kind),
        area: Some(area),
    };
    Ok(st.dir.projects(&county, &filter).await?)
}

/// A project the session may read, with its allocations and disbursements.
pub async fn project(
    st: &AppState,
    s: &Session,
    county: &str,
    id: &str,
) -> Result<ProjectDetail, ApiError> {
    let p = st
        .dir
        .project(county, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    authz::check(&s.scope, Action::ReadFunds { area: &p.village })?;
    let allocations: Vec<Allocation> = st
        .dir
        .allocations(county, None)
        .await?
        .into_iter()
        .filter(|a| a.project == p.id)
        .collect();
    let disbursements = st.dir.disbursements(county, Some(id)).await?;
    let disbursed = Yuan::from_fen(disbursements.iter().map(|d| d.amount.fen()).sum());
    Ok(ProjectDetail {
        project: p,
        allocations,
        disbursements,
        disbursed,
    })
}

/// Records a project (new or changed) of a village the session may write funds in.
pub async fn put_project(
    st: &AppState,
    s: &Session,
    county: &str,
    id: &str,
    p: &Project,
) -> Result<Project, ApiError> {
    let mut p = p.clone();
    p.county = county.to_string();
    p.id = id.to_string();
    authz::check(&s.scope, Action::WriteFunds { area: &p.village })?;
    let bad = |field: &str, msg: &str| Err(ApiError::bad_request(field, msg.to_string()));
    if county_of(&p.village) != county || p.village.len() != 12 {
        return bad(
            "village",
            "村应为本县的 12 位区划代码 / village must be a 12-digit area code of the county",
        );
    }
    if !rules::CATEGORIES.contains(&p.kind.as_str()) {
        return bad("kind", "未知的项目类别 / unknown project kind");
    }
    if !PROJECT_STATUSES.contains(&p.status.as_str()) {
        return bad("status", "状态应为 planned、underway、done 或 cancelled / status must be planned, underway, done or cancelled");
    }
    if !(0..=100).contains(&p.progress_pct) || p.households < 0 || p.people < 0 {
        return bad("progress_pct", "进度应在 0 到 100 之间,受益户数和人数不能为负 / progress is 0 to 100, beneficiaries not negative");
    }
    if p.name.trim().is_empty() || id.trim().is_empty() || id.len() > 64 {
        return bad(
            "name",
            "项目编号和名称不能为空 / the project needs an id and a name",
        );
    }
    st.dir.put_project(&p, &s.user).await?;
    Ok(p)
}

/// The loans of an area (started in `year` when given): the overdue first (longest overdue
/// first), then by id.
pub async fn loans(st: &AppState, s: &Session, q: &FundsQuery) -> Result<Vec<LoanRow>, ApiError> {
    let area = area(st, s, q.area.as_deref()).await?;
    let county = county(&area)?;
    let r = rules_for(st, &county)?;
    let today = crate::registry::service::today().to_string();
    let mut rows: Vec<LoanRow> = st
        .dir
        .loans(&area, q.year)
        .await?
        .into_iter()
        .map(|loan| {
            let late: Vec<_> = loan
                .repayments
                .iter()
                .filter(|x| x.due < today && x.paid.0 < x.amount.0)
                .collect();
            let overdue = Yuan::from_fen(late.iter().map(|x| x.amount.fen() - x.paid.fen()).sum());
            let overdue_since = late.iter().map(|x| x.due.clone()).min();
            let core = rules::Loan {
                id: loan.id.clone(),
                household: loan.household.clone(),
                amount: loan.amount.0,
                term_months: loan.term_months.clamp(0, u32::MAX as i64) as u32,
                guarantee: loan.guarantee,
                collateral: loan.collateral,
                start: None,
                repayments: vec![],
            };
            let violations = rules::loan_violations(&core, &r)
                .into_iter()
                .map(str::to_string)
                .collect();
            LoanRow {
                loan,
                overdue,
                overdue_since,
                violations,
            }
        })
        .collect();
    rows.sort_by(|a, b| match (&a.overdue_since, &b.overdue_since) {
        (Some(x), Some(y)) => x.cmp(y).then(a.loan.id.cmp(&b.loan.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.loan.id.cmp(&b.loan.id),
    });
    Ok(rows)
}

/// An asset the session may read (404 otherwise).
async fn asset_for(st: &AppState, s: &Session, county: &str, id: &str) -> Result<Asset, ApiError> {
    let asset = st
        .dir
        .asset(county, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    authz::check(
        &s.scope,
        Action::ReadFunds {
            area: &asset.village,
        },
    )?;
    Ok(asset)
}

/// The dividends of an asset in a year (default: its latest year of income).
pub async fn dividends(
    st: &AppState,
    s: &Session,
    county: &str,
    id: &str,
    year: Option<i32>,
) -> Result<DividendList, ApiError> {
    let asset = asset_for(st, s, county, id).await?;
    let incomes = st.dir.asset_incomes(county, Some(id)).await?;
    let year = year.or_else(|| incomes.iter().map(|i| i.year).max());
    let income = incomes.into_iter().find(|i| Some(i.year) == year);
    let dividends = match year {
        Some(y) => st.dir.asset_dividends(county, id, y).await?,
        None => vec![],
    };
    Ok(DividendList {
        asset,
        year,
        income,
        dividends,
    })
}

/// Records a year's income of an asset and pays its dividends.
pub async fn record_income(
    st: &AppState,
    s: &Session,
    county: &str,
    id: &str,
    b: &NewIncome,
) -> Result<DividendList, ApiError> {
    let asset = asset_for(st, s, county, id).await?;
    authz::check(
        &s.scope,
        Action::WriteFunds {
            area: &asset.village,
        },
    )?;
    for (field, v) in [("income", b.income), ("collective", b.collective)] {
        if rules::parse_amount(&serde_json::json!(v.0.to_string())).is_err() {
            return Err(ApiError::bad_request(field, "金额应为非负、最多两位小数 / money must be non-negative with at most two decimal places"));
        }
    }
    if b.collective.0 > b.income.0 {
        return Err(ApiError::bad_request(
            "collective",
            "集体部分不能超过收益 / the collective's part is above the income",
        ));
    }
    let income = AssetIncome {
        asset: id.to_string(),
        year: b.year,
        income: b.income,
        collective: b.collective,
    };
    st.dir.record_asset_income(county, &income, &s.user).await?;
    dividends(st, s, county, id, Some(b.year)).await
}

/// What a household the session may read received: its loans and dividends.
pub async fn of_household(
    st: &AppState,
    s: &Session,
    number: &str,
) -> Result<HouseholdFunds, ApiError> {
    st.household_for(s, number, false).await?;
    Ok(HouseholdFunds {
        loans: st.dir.household_loans(number).await?,
        dividends: st.dir.household_dividends(number).await?,
    })
}

/// The household page's section (`templates/funds/household_section.html`): the household's loans
/// and dividends (the page has checked the session may read the household); empty on a failure.
pub async fn household_section(st: &AppState, number: &str) -> minijinja::Value {
    let loans = st.dir.household_loans(number).await.unwrap_or_default();
    let dividends = st.dir.household_dividends(number).await.unwrap_or_default();
    minijinja::Value::from_serialize(HouseholdFunds { loans, dividends })
}

/// The outcome of an uploaded funds sheet (or of its rows sent as JSON): the rows written, or every
/// bad cell (nothing written).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SheetImport {
    pub table: String,
    pub sheet: String,
    /// The uploaded file's name (empty for rows sent as JSON).
    pub file: String,
    pub rows: usize,
    pub committed: bool,
    /// Bad cells: `row` (the sheet's row, the header being row 1; for JSON the row's place in
    /// `rows`, from 1), `column`, `value`, `code`, `zh`, `en`.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<fupin_core::error::RowError>,
}

/// Imports an uploaded funds sheet (fupin-store's `funds_sheet`, as `fupin funds import`): only
/// a county the session may write funds of (`WriteFunds`); all or nothing; audited with the user.
pub async fn import_sheet(
    st: &AppState,
    s: &Session,
    table: &str,
    file: &str,
    data: &[u8],
) -> Result<SheetImport, ApiError> {
    // Who may not write funds anywhere is refused before the file is read.
    let t = writable_table(s, table)?;
    let ext = file.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    if !["csv", "xlsx"].contains(&ext.as_str()) {
        return Err(ApiError::bad_request(
            "file",
            "文件应为 CSV 或 XLSX / the file must be CSV or XLSX",
        ));
    }
    let rows = crate::registry::import::read_upload(&ext, data, |path| {
        fupin_sheet::funds::read_table(path, t).map_err(|e| e.to_string())
    })
    .map_err(|e| {
        ApiError::bad_request(
            "file",
            format!("无法读取文件 / the file cannot be read: {e}"),
        )
    })?;
    import_rows(st, s, t, file, &rows).await
}

/// A funds table by its code (`projects`, `loans`, ...), or a 400 naming the codes.
fn table_of(table: &str) -> Result<fupin_core::funds::table::Table, ApiError> {
    use fupin_core::funds::table::Table;
    Table::parse(table).ok_or_else(|| {
        ApiError::bad_request(
            "table",
            format!("表应为 / the table is one of {}", Table::codes()),
        )
    })
}

/// A funds table by its code, for a session that may write funds in its own area (each row's
/// county is checked again when the rows are).
fn writable_table(s: &Session, table: &str) -> Result<fupin_core::funds::table::Table, ApiError> {
    let t = table_of(table)?;
    authz::check(
        &s.scope,
        Action::WriteFunds {
            area: &s.scope.area,
        },
    )?;
    Ok(t)
}

/// Checks and writes a funds table's rows (fupin-store's `funds_sheet`): each row's county one the
/// session may write funds of; all or nothing; audited with the user.
async fn import_rows(
    st: &AppState,
    s: &Session,
    t: fupin_core::funds::table::Table,
    file: &str,
    rows: &[fupin_core::funds::table::Row],
) -> Result<SheetImport, ApiError> {
    let may_write = |county: &str| authz::may(&s.scope, Action::WriteFunds { area: county });
    let out = fupin_store::funds_sheet::import_rows(st.dir.as_ref(), t, rows, &may_write, &s.user)
        .await?;
    let (rows, errors) = match out {
        Ok(c) => (c.rows, vec![]),
        Err(e) => (rows.len(), e),
    };
    Ok(SheetImport {
        table: t.code().into(),
        sheet: t.sheet_name().into(),
        file: file.into(),
        rows,
        committed: errors.is_empty(),
        errors,
    })
}

/// `POST /api/v1/funds/tables/{table}`: a table's rows as JSON objects by the sheet's English
/// column keys (values as text, numbers or booleans; a missing key is an empty cell), checked and
/// written exactly as an uploaded sheet of that table. A key the table does not have is refused
/// (400, naming it and its row) before anything is checked.
pub async fn import_json(
    st: &AppState,
    s: &Session,
    table: &str,
    rows: &[serde_json::Map<String, serde_json::Value>],
) -> Result<SheetImport, ApiError> {
    let t = writable_table(s, table)?;
    let columns = t.columns();
    let mut out = Vec::with_capacity(rows.len());
    for (i, obj) in rows.iter().enumerate() {
        let mut cells = std::collections::HashMap::new();
        for (key, value) in obj {
            let Some((_, en)) = columns.iter().find(|(_, en)| en == key) else {
                let message = format!(
                    "第 {} 行:表 {} 没有列 {key} / row {}: the table {} has no column {key}",
                    i + 1,
                    t.code(),
                    i + 1,
                    t.code()
                );
                return Err(
                    ApiError::bad_request("unknown_column", message.clone()).with_field(
                        &format!("rows[{i}].{key}"),
                        "unknown_column",
                        &message,
                    ),
                );
            };
            let text = match value {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(x) => x.trim().to_string(),
                serde_json::Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
                other => other.to_string(),
            };
            cells.insert(*en, text);
        }
        out.push(fupin_core::funds::table::Row { row: i + 1, cells });
    }
    import_rows(st, s, t, "", &out).await
}

/// A county's rows of a funds table as JSON: `columns` (English keys, in the sheet's order) and
/// `rows` (objects by key; money with two places, dates `YYYY-MM-DD`, 是/否) — what
/// [`import_json`] reads back as the same records.
pub async fn table_json(
    st: &AppState,
    s: &Session,
    table: &str,
    county: &str,
) -> Result<TableRows, ApiError> {
    let t = table_of(table)?;
    let c = self::county(county)?;
    authz::check(&s.scope, Action::ReadFunds { area: &c })?;
    let keys: Vec<&'static str> = t.columns().iter().map(|(_, en)| *en).collect();
    let rows = fupin_store::funds_sheet::export_rows(st.dir.as_ref(), t, &c)
        .await?
        .into_iter()
        .map(|r| {
            keys.iter()
                .zip(r)
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
                .collect()
        })
        .collect();
    Ok(TableRows {
        table: t.code().into(),
        county: c,
        columns: keys.into_iter().map(str::to_string).collect(),
        rows,
    })
}

/// A county's rows of one funds table ([`table_json`]).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TableRows {
    pub table: String,
    pub county: String,
    pub columns: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// A funds table as an XLSX file: the template (`county` none) or a county's rows (read scope).
pub async fn sheet_file(
    st: &AppState,
    s: &Session,
    table: &str,
    county: Option<&str>,
) -> Result<(String, Vec<u8>), ApiError> {
    let t = table_of(table)?;
    let (name, rows) = match county {
        Some(c) => {
            let c = self::county(c)?;
            authz::check(&s.scope, Action::ReadFunds { area: &c })?;
            let rows = fupin_store::funds_sheet::export_rows(st.dir.as_ref(), t, &c).await?;
            (format!("{c}-{}.xlsx", t.code()), rows)
        }
        None => (format!("template-{}.xlsx", t.code()), vec![]),
    };
    let internal =
        |e: String| ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "sheet", e);
    let bytes = crate::registry::import::read_upload("xlsx", &[], |path| {
        fupin_sheet::funds::write_table(path, t, fupin_sheet::funds::cells_of(t, rows))
            .map_err(|e| e.to_string())?;
        std::fs::read(path).map_err(|e| e.to_string())
    })
    .map_err(internal)?;
    Ok((name, bytes))
}
