//! The funds' tables as sheet rows (issue 14): [`check_rows`] checks every cell of a sheet's rows
//! (fupin-core's [`Table`] layout; fupin-sheet reads the file) into a [`Batch`] or one error per bad
//! cell naming its row and column; [`Funds::import_funds`] writes a batch in one transaction,
//! audited; [`export_rows`] gives a county's table in the same layout, so an export reads back as
//! an import of the same rows. The CLI (`fupin funds import|export`) and the web upload share it.

use crate::error::StoreError;
use crate::funds::{
    Allocation, Asset, AssetIncome, Beneficiary, Cooperative, Disbursement, FundSource, FundYear,
    Funds, Loan, Project, ProjectFilter, Repayment, Subsidy, Yuan, PROJECT_STATUSES, SOURCE_LEVELS,
};
use fupin_core::error::RowError;
use fupin_core::funds as rules;
use fupin_core::funds::table::{date_of, Row, Table};
use fupin_core::money::Decimal;
use std::collections::HashSet;
use std::str::FromStr;

/// The records of one checked sheet, all of one county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batch {
    Projects(Vec<Project>),
    /// The loans' own rows: their repayments and subsidies already stored are kept.
    Loans(Vec<Loan>),
    Sources(Vec<FundSource>),
    Years(Vec<FundYear>),
    Allocations(Vec<Allocation>),
    Disbursements(Vec<Disbursement>),
    /// Each loan's whole repayment schedule (replacing the stored one).
    Repayments(Vec<(String, Vec<Repayment>)>),
    /// Each loan's interest subsidies (replacing the stored ones).
    Subsidies(Vec<(String, Vec<Subsidy>)>),
    /// Each asset with its beneficiaries (replacing the stored asset).
    Assets(Vec<Asset>),
    /// A year's income of an asset: its dividends are computed as [`Funds::record_asset_income`]'s.
    Incomes(Vec<AssetIncome>),
    Cooperatives(Vec<Cooperative>),
}

/// A checked sheet: its county (`None` when it has no rows) and records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub county: Option<String>,
    pub rows: usize,
    pub batch: Batch,
}

/// The checks of one row's cells, gathering an error per bad cell.
struct Cells<'a> {
    row: &'a Row,
    table: Table,
    errors: Vec<RowError>,
}

impl Cells<'_> {
    fn raw(&self, key: &str) -> String {
        self.row.cells.get(key).cloned().unwrap_or_default()
    }
    fn bad(&mut self, key: &str, code: &str, zh: &str, en: &str) {
        let e = RowError::new(
            self.row.row,
            &self.table.header(key),
            &self.raw(key),
            code,
            zh,
            en,
        );
        self.errors.push(e);
    }
    fn text(&mut self, key: &str) -> String {
        let v = self.raw(key);
        if v.is_empty() || v.chars().count() > 200 || v.chars().any(char::is_control) {
            self.bad(
                key,
                "text_required",
                "必填,至多 200 字,不含控制字符",
                "required, at most 200 characters, no control characters",
            );
        }
        v
    }
    fn opt_text(&mut self, key: &str) -> Option<String> {
        let v = self.raw(key);
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > 200 || v.chars().any(char::is_control) {
            self.bad(
                key,
                "text_format",
                "至多 200 字,不含控制字符",
                "at most 200 characters, no control characters",
            );
        }
        Some(v)
    }
    fn opt_date(&mut self, key: &str) -> Option<String> {
        let v = self.raw(key);
        if v.is_empty() {
            return None;
        }
        match date_of(&v) {
            Some(d) => Some(d.format("%Y-%m-%d").to_string()),
            None => {
                self.bad(
                    key,
                    "date_format",
                    "日期应为 YYYY-MM-DD 或 Excel 日期",
                    "date must be YYYY-MM-DD or an Excel date",
                );
                Some(v)
            }
        }
    }
    fn date(&mut self, key: &str) -> String {
        match self.opt_date(key) {
            Some(d) => d,
            None => {
                self.bad(
                    key,
                    "date_format",
                    "日期应为 YYYY-MM-DD 或 Excel 日期",
                    "date must be YYYY-MM-DD or an Excel date",
                );
                String::new()
            }
        }
    }
    fn money(&mut self, key: &str) -> Yuan {
        match rules::parse_amount(&serde_json::Value::String(self.raw(key))) {
            Ok(d) => Yuan(d),
            Err((code, zh, en)) => {
                self.bad(key, code, zh, en);
                Yuan::default()
            }
        }
    }
    fn opt_money(&mut self, key: &str) -> Option<Yuan> {
        (!self.raw(key).is_empty()).then(|| self.money(key))
    }
    fn int(&mut self, key: &str, lo: i64, hi: i64) -> i64 {
        match self.raw(key).parse::<i64>() {
            Ok(n) if (lo..=hi).contains(&n) => n,
            _ => {
                self.bad(
                    key,
                    "number_range",
                    &format!("应为 {lo} 到 {hi} 的整数"),
                    &format!("must be a whole number from {lo} to {hi}"),
                );
                0
            }
        }
    }
    fn year(&mut self) -> i32 {
        self.int("year", 2000, 2100) as i32
    }
    fn yes_no(&mut self, key: &str) -> bool {
        match self.raw(key).as_str() {
            "是" | "yes" | "true" | "1" => true,
            "否" | "no" | "false" | "0" | "" => false,
            _ => {
                self.bad(key, "yes_no", "应为 是 或 否", "must be yes or no");
                false
            }
        }
    }
    fn code(&mut self, key: &str, codes: &[&str], err: &str) -> String {
        let v = self.raw(key);
        if !codes.contains(&v.as_str()) {
            let list = codes.join(", ");
            self.bad(
                key,
                err,
                &format!("应为 {list} 之一(见模板的代码表)"),
                &format!("must be one of {list} (see the template's codes)"),
            );
        }
        v
    }
    /// The file's one county: the first row's; a row of another county, or of a county the
    /// writer may not write, is an error of the cell.
    fn one_county(&mut self, key: &str, c: &str, ctx: &mut Ctx) {
        match &ctx.county {
            None => ctx.county = Some(c.to_string()),
            Some(first) if first != c => {
                return self.bad(
                    key,
                    "one_county",
                    "一个文件只导入一个县",
                    "one file holds one county",
                )
            }
            _ => {}
        }
        if !(ctx.may_write)(c) {
            self.bad(
                key,
                "out_of_scope",
                "无权写入该县的资金数据",
                "outside the counties you may write",
            );
        }
    }
    fn village(&mut self, key: &str, ctx: &mut Ctx) -> String {
        let v = self.raw(key);
        if v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
            self.bad(
                key,
                "area_code",
                "村区划代码应为 12 位数字",
                "the village's area code has 12 digits",
            );
            return v;
        }
        self.one_county(key, &v[..6], ctx);
        v
    }
    fn county(&mut self, ctx: &mut Ctx) -> String {
        let v = self.raw("county");
        if v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()) {
            self.bad(
                "county",
                "area_code",
                "县区划代码应为 6 位数字",
                "the county's area code has 6 digits",
            );
            return v;
        }
        self.one_county("county", &v, ctx);
        v
    }
    /// A reference to a record stored in the county (`what` of `known`).
    fn known(&mut self, key: &str, known: &HashSet<String>, zh: &str, en: &str) -> String {
        let v = self.text(key);
        if !v.is_empty() && !known.contains(&v) {
            self.bad(
                key,
                &format!("{key}_not_found"),
                &format!("登记库中没有该{zh}"),
                &format!("no such {en} in the registry"),
            );
        }
        v
    }
}

/// What a check needs besides the cells: who may write which county, and the county's stored
/// projects, loans and assets that rows refer to.
struct Ctx<'a> {
    county: Option<String>,
    may_write: &'a (dyn Fn(&str) -> bool + Sync),
    projects: HashSet<String>,
    loans: HashSet<String>,
    assets: HashSet<String>,
}

fn weight_ok(w: &str) -> bool {
    Decimal::from_str(w).is_ok_and(|d| {
        d > Decimal::ZERO && d <= Decimal::from(1_000_000) && d.normalize().scale() <= 4
    })
}

/// Checks a sheet's rows. `may_write(county)` says whether the writer may write a county's funds
/// (its rows are errors otherwise). References (a project, loan or asset) must be stored in the
/// county. The outer error is the store's; the inner, every bad cell (then nothing is to be
/// written).
pub async fn check_rows(
    store: &(dyn Funds + '_),
    table: Table,
    rows: &[Row],
    may_write: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Result<Checked, Vec<RowError>>, StoreError> {
    // The county of the file, from its first row, for the references.
    let first = rows.first().map(|r| {
        let c = r
            .cells
            .get("county")
            .or(r.cells.get("village"))
            .cloned()
            .unwrap_or_default();
        c.get(..6).unwrap_or_default().to_string()
    });
    let mut ctx = Ctx {
        county: None,
        may_write,
        projects: HashSet::new(),
        loans: HashSet::new(),
        assets: HashSet::new(),
    };
    if let Some(c) = first.filter(|c| c.len() == 6) {
        match table {
            Table::Allocations | Table::Disbursements => {
                let all = store.projects(&c, &ProjectFilter::default()).await?;
                ctx.projects = all.into_iter().map(|p| p.id).collect();
            }
            Table::Repayments | Table::Subsidies => {
                ctx.loans = store
                    .loans(&c, None)
                    .await?
                    .into_iter()
                    .map(|l| l.id)
                    .collect();
            }
            Table::AssetIncome => {
                ctx.assets = store.assets(&c).await?.into_iter().map(|a| a.id).collect();
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut projects = Vec::new();
    let mut loans = Vec::new();
    let mut sources = Vec::new();
    let mut years = Vec::new();
    let mut allocations = Vec::new();
    let mut disbursements = Vec::new();
    let mut repayments: Vec<(String, Vec<Repayment>)> = Vec::new();
    let mut subsidies: Vec<(String, Vec<Subsidy>)> = Vec::new();
    let mut assets: Vec<Asset> = Vec::new();
    let mut incomes = Vec::new();
    let mut cooperatives = Vec::new();
    for row in rows {
        let mut c = Cells {
            row,
            table,
            errors: vec![],
        };
        // The row's key (unique in the file) and the column an error of it names.
        let key: (String, &str) = match table {
            Table::Projects => {
                let village = c.village("village", &mut ctx);
                let kind = c.code("kind", rules::CATEGORIES, "unknown_category");
                let status = c.code("status", PROJECT_STATUSES, "unknown_status");
                let p = Project {
                    id: c.text("id"),
                    county: village.get(..6).unwrap_or_default().to_string(),
                    year: c.year(),
                    name: c.text("name"),
                    kind,
                    village,
                    budget: c.money("budget"),
                    start: c.opt_date("start"),
                    end: c.opt_date("end"),
                    progress_pct: c.int("progress_pct", 0, 100),
                    status,
                    households: c.int("households", 0, 1_000_000),
                    people: c.int("people", 0, 10_000_000),
                    benefit: c.text("benefit"),
                };
                let k = p.id.clone();
                projects.push(p);
                (k, "id")
            }
            Table::Loans => {
                let village = c.village("village", &mut ctx);
                let household = c.text("household");
                if !household.starts_with(&village) {
                    c.bad(
                        "household",
                        "household_village",
                        "户编号应以村区划代码开头",
                        "the household number starts with its village's code",
                    );
                }
                let start = c.date("start");
                let bank = c.opt_text("bank");
                let l = Loan {
                    id: c.text("id"),
                    county: village.get(..6).unwrap_or_default().to_string(),
                    household,
                    village,
                    amount: c.money("amount"),
                    term_months: c.int("term_months", 1, 600),
                    guarantee: c.yes_no("guarantee"),
                    collateral: c.yes_no("collateral"),
                    start,
                    bank,
                    repayments: vec![],
                    subsidies: vec![],
                };
                let k = l.id.clone();
                loans.push(l);
                (k, "id")
            }
            Table::Sources => {
                let s = FundSource {
                    id: c.text("id"),
                    county: c.county(&mut ctx),
                    year: c.year(),
                    level: c.code("level", SOURCE_LEVELS, "unknown_level"),
                    name: c.text("name"),
                    amount: c.money("amount"),
                    received_on: c.opt_date("received_on"),
                    note: c.opt_text("note"),
                };
                let k = s.id.clone();
                sources.push(s);
                (k, "id")
            }
            Table::Years => {
                let y = FundYear {
                    county: c.county(&mut ctx),
                    year: c.year(),
                    local_revenue: c.opt_money("local_revenue"),
                    loan_task: c.opt_money("loan_task"),
                };
                let k = y.year.to_string();
                years.push(y);
                (k, "year")
            }
            Table::Allocations => {
                let a = Allocation {
                    id: c.text("id"),
                    county: c.county(&mut ctx),
                    year: c.year(),
                    project: c.known("project", &ctx.projects, "项目", "project"),
                    category: c.code("category", rules::CATEGORIES, "unknown_category"),
                    amount: c.money("amount"),
                    date: c.date("date"),
                    source: c.opt_text("source"),
                };
                let k = a.id.clone();
                allocations.push(a);
                (k, "id")
            }
            Table::Disbursements => {
                let d = Disbursement {
                    id: c.text("id"),
                    county: c.county(&mut ctx),
                    project: c.known("project", &ctx.projects, "项目", "project"),
                    amount: c.money("amount"),
                    date: c.date("date"),
                };
                let k = d.id.clone();
                disbursements.push(d);
                (k, "id")
            }
            Table::Repayments => {
                c.county(&mut ctx);
                let loan = c.known("loan", &ctx.loans, "贷款", "loan");
                let r = Repayment {
                    due: c.date("due"),
                    amount: c.money("amount"),
                    paid: c.money("paid"),
                    paid_on: c.opt_date("paid_on"),
                };
                let k = format!("{loan} {}", r.due);
                match repayments.iter_mut().find(|(l, _)| *l == loan) {
                    Some((_, v)) => v.push(r),
                    None => repayments.push((loan, vec![r])),
                }
                (k, "due")
            }
            Table::Subsidies => {
                c.county(&mut ctx);
                let loan = c.known("loan", &ctx.loans, "贷款", "loan");
                let s = Subsidy {
                    year: c.year(),
                    amount: c.money("amount"),
                };
                let k = format!("{loan} {}", s.year);
                match subsidies.iter_mut().find(|(l, _)| *l == loan) {
                    Some((_, v)) => v.push(s),
                    None => subsidies.push((loan, vec![s])),
                }
                (k, "year")
            }
            Table::Assets => {
                let village = c.village("village", &mut ctx);
                let capacity_kw = c.opt_text("capacity_kw");
                if capacity_kw
                    .as_deref()
                    .is_some_and(|k| Decimal::from_str(k).map_or(true, |d| d < Decimal::ZERO))
                {
                    c.bad(
                        "capacity_kw",
                        "number_format",
                        "装机容量应为非负数",
                        "the capacity is a number, not negative",
                    );
                }
                let a = Asset {
                    id: c.text("id"),
                    county: village.get(..6).unwrap_or_default().to_string(),
                    kind: c.text("kind"),
                    name: c.text("name"),
                    village,
                    capacity_kw,
                    split: c.code("split", &["equal", "weights"], "unknown_split"),
                    beneficiaries: vec![],
                };
                let household = c.raw("household");
                let mut weight = c.raw("weight");
                if weight.is_empty() {
                    weight = "1".into();
                } else if !weight_ok(&weight) {
                    c.bad(
                        "weight",
                        "weight",
                        "权重应为大于 0、至多 1000000、至多四位小数的数",
                        "the weight is above 0, at most 1,000,000, at most four decimal places",
                    );
                }
                if !household.is_empty() && !household.starts_with(&a.village) {
                    c.bad(
                        "household",
                        "household_village",
                        "户编号应以村区划代码开头",
                        "the household number starts with its village's code",
                    );
                }
                if household.is_empty() && !c.raw("weight").is_empty() {
                    c.bad(
                        "household",
                        "text_required",
                        "有权重的行应填受益户编号",
                        "a row with a weight names its household",
                    );
                }
                let k = format!("{} {household}", a.id);
                // One row per beneficiary: the asset's columns the same on each of its rows.
                match assets.iter_mut().find(|x| x.id == a.id) {
                    Some(x) => {
                        for (key, same) in [
                            ("name", x.name == a.name),
                            ("kind", x.kind == a.kind),
                            ("village", x.village == a.village),
                            ("capacity_kw", x.capacity_kw == a.capacity_kw),
                            ("split", x.split == a.split),
                        ] {
                            if !same {
                                c.bad(
                                    key,
                                    "asset_differs",
                                    "同一资产的各行应相同",
                                    "differs from the asset's first row",
                                );
                            }
                        }
                        if !household.is_empty() {
                            x.beneficiaries.push(Beneficiary { household, weight });
                        }
                    }
                    None => {
                        let mut a = a;
                        if !household.is_empty() {
                            a.beneficiaries.push(Beneficiary { household, weight });
                        }
                        assets.push(a);
                    }
                }
                (k, "household")
            }
            Table::AssetIncome => {
                c.county(&mut ctx);
                let asset = c.known("asset", &ctx.assets, "资产", "asset");
                let i = AssetIncome {
                    asset,
                    year: c.year(),
                    income: c.money("income"),
                    collective: c.opt_money("collective").unwrap_or_default(),
                };
                if i.collective.0 > i.income.0 {
                    c.bad(
                        "collective",
                        "collective_above_income",
                        "集体部分不能超过收益",
                        "the collective's part is above the income",
                    );
                }
                let k = format!("{} {}", i.asset, i.year);
                incomes.push(i);
                (k, "year")
            }
            Table::Cooperatives => {
                let village = c.village("village", &mut ctx);
                let members = c.int("members", 0, 10_000_000);
                let poor_members = c.int("poor_members", 0, 10_000_000);
                if poor_members > members {
                    c.bad(
                        "poor_members",
                        "poor_above_members",
                        "贫困户成员数不能超过成员数",
                        "more poor members than members",
                    );
                }
                let co = Cooperative {
                    id: c.text("id"),
                    county: village.get(..6).unwrap_or_default().to_string(),
                    name: c.text("name"),
                    village,
                    members,
                    poor_members,
                    supported: c.yes_no("supported"),
                };
                let k = co.id.clone();
                cooperatives.push(co);
                (k, "id")
            }
        };
        let no_key = key.0.trim().is_empty();
        if !no_key && !seen.insert(key.0.clone()) {
            c.bad(
                key.1,
                "duplicate_id",
                "与前面的行重复",
                "repeats an earlier row",
            );
        }
        errors.extend(c.errors);
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let batch = match table {
        Table::Projects => Batch::Projects(projects),
        Table::Loans => Batch::Loans(loans),
        Table::Sources => Batch::Sources(sources),
        Table::Years => Batch::Years(years),
        Table::Allocations => Batch::Allocations(allocations),
        Table::Disbursements => Batch::Disbursements(disbursements),
        Table::Repayments => Batch::Repayments(repayments),
        Table::Subsidies => Batch::Subsidies(subsidies),
        Table::Assets => Batch::Assets(assets),
        Table::AssetIncome => Batch::Incomes(incomes),
        Table::Cooperatives => Batch::Cooperatives(cooperatives),
    };
    Ok(Ok(Checked {
        county: ctx.county,
        rows: rows.len(),
        batch,
    }))
}

/// Checks a sheet's rows and, when every cell is good, writes them in one transaction (audited
/// with `actor`). The inner error: every bad cell, and nothing written.
pub async fn import_rows(
    store: &(dyn Funds + '_),
    table: Table,
    rows: &[Row],
    may_write: &(dyn Fn(&str) -> bool + Sync),
    actor: &str,
) -> Result<Result<Checked, Vec<RowError>>, StoreError> {
    let checked = match check_rows(store, table, rows, may_write).await? {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(county) = &checked.county {
        store.import_funds(county, &checked.batch, actor).await?;
    }
    Ok(Ok(checked))
}

fn fmt(y: Yuan) -> String {
    fupin_core::money::fmt2(y.0)
}

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

/// A county's table as text rows in the table's column order (money with two places, dates
/// `YYYY-MM-DD`, 是/否): what the import reads back as the same records.
pub async fn export_rows(
    store: &(dyn Funds + '_),
    table: Table,
    county: &str,
) -> Result<Vec<Vec<String>>, StoreError> {
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    let c = county.to_string();
    Ok(match table {
        Table::Projects => store
            .projects(county, &ProjectFilter::default())
            .await?
            .into_iter()
            .map(|p| {
                vec![
                    p.id,
                    p.year.to_string(),
                    p.name,
                    p.kind,
                    p.village,
                    fmt(p.budget),
                    o(&p.start),
                    o(&p.end),
                    p.progress_pct.to_string(),
                    p.status,
                    p.households.to_string(),
                    p.people.to_string(),
                    p.benefit,
                ]
            })
            .collect(),
        Table::Loans => store
            .loans(county, None)
            .await?
            .into_iter()
            .map(|l| {
                vec![
                    l.id,
                    l.household,
                    l.village,
                    fmt(l.amount),
                    l.term_months.to_string(),
                    yes_no(l.guarantee),
                    yes_no(l.collateral),
                    l.start,
                    o(&l.bank),
                ]
            })
            .collect(),
        Table::Sources => store
            .all_fund_sources(county)
            .await?
            .into_iter()
            .map(|s| {
                vec![
                    s.id,
                    s.county,
                    s.year.to_string(),
                    s.level,
                    s.name,
                    fmt(s.amount),
                    o(&s.received_on),
                    o(&s.note),
                ]
            })
            .collect(),
        Table::Years => store
            .fund_years(county)
            .await?
            .into_iter()
            .map(|y| {
                vec![
                    y.county,
                    y.year.to_string(),
                    y.local_revenue.map(fmt).unwrap_or_default(),
                    y.loan_task.map(fmt).unwrap_or_default(),
                ]
            })
            .collect(),
        Table::Allocations => store
            .allocations(county, None)
            .await?
            .into_iter()
            .map(|a| {
                vec![
                    a.id,
                    a.county,
                    a.year.to_string(),
                    a.project,
                    a.category,
                    fmt(a.amount),
                    a.date,
                    o(&a.source),
                ]
            })
            .collect(),
        Table::Disbursements => store
            .disbursements(county, None)
            .await?
            .into_iter()
            .map(|d| vec![d.id, d.county, d.project, fmt(d.amount), d.date])
            .collect(),
        Table::Repayments => store
            .loans(county, None)
            .await?
            .into_iter()
            .flat_map(|l| {
                let c = c.clone();
                l.repayments.into_iter().map(move |r| {
                    vec![
                        c.clone(),
                        l.id.clone(),
                        r.due,
                        fmt(r.amount),
                        fmt(r.paid),
                        r.paid_on.unwrap_or_default(),
                    ]
                })
            })
            .collect(),
        Table::Subsidies => store
            .loans(county, None)
            .await?
            .into_iter()
            .flat_map(|l| {
                let c = c.clone();
                l.subsidies
                    .into_iter()
                    .map(move |s| vec![c.clone(), l.id.clone(), s.year.to_string(), fmt(s.amount)])
            })
            .collect(),
        Table::Assets => {
            let mut out = Vec::new();
            for a in store.assets(county).await? {
                let head = |h: String, w: String| {
                    vec![
                        a.id.clone(),
                        a.name.clone(),
                        a.kind.clone(),
                        a.village.clone(),
                        o(&a.capacity_kw),
                        a.split.clone(),
                        h,
                        w,
                    ]
                };
                if a.beneficiaries.is_empty() {
                    out.push(head(String::new(), String::new()));
                }
                for b in &a.beneficiaries {
                    out.push(head(b.household.clone(), b.weight.clone()));
                }
            }
            out
        }
        Table::AssetIncome => store
            .asset_incomes(county, None)
            .await?
            .into_iter()
            .map(|i| {
                vec![
                    c.clone(),
                    i.asset,
                    i.year.to_string(),
                    fmt(i.income),
                    fmt(i.collective),
                ]
            })
            .collect(),
        Table::Cooperatives => store
            .cooperatives(county)
            .await?
            .into_iter()
            .map(|co| {
                vec![
                    co.id,
                    co.name,
                    co.village,
                    co.members.to_string(),
                    co.poor_members.to_string(),
                    yes_no(co.supported),
                ]
            })
            .collect(),
    })
}
