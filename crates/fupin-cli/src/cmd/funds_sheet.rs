//! `fupin funds import|export|template`: the project library and the small loans as sheets
//! (fupin-sheet's `funds`), each row checked with an error naming its row and column; an import
//! writes all or nothing (audited, actor `导入 import`).

use crate::error::{CliError, Result};
use crate::options::Global;
use fupin_core::error::RowError;
use fupin_core::funds as rules;
use fupin_sheet::funds::{read_table, write_table, Row, Table};
use fupin_sheet::Cell;
use fupin_store::funds::{Funds, Loan, Project, ProjectFilter, Yuan, PROJECT_STATUSES};
use std::path::{Path, PathBuf};

fn table_of(s: &str) -> std::result::Result<Table, CliError> {
    Table::parse(s).ok_or_else(|| {
        CliError::Usage(format!(
            "--table 应为 projects 或 loans / --table must be projects or loans, not {s:?}"
        ))
    })
}

fn sheet_err(e: fupin_sheet::SheetError) -> CliError {
    CliError::Usage(e.to_string())
}

/// The checks of one row's cells, gathering an error per bad cell.
struct Cells<'a> {
    row: &'a Row,
    table: Table,
    errors: Vec<RowError>,
}

impl Cells<'_> {
    fn header(&self, key: &str) -> String {
        self.table
            .columns()
            .iter()
            .find(|(_, en)| *en == key)
            .map(|(zh, en)| format!("{zh} {en}"))
            .unwrap_or_else(|| key.to_string())
    }
    fn raw(&self, key: &str) -> String {
        self.row.cells.get(key).cloned().unwrap_or_default()
    }
    fn bad(&mut self, key: &str, code: &str, zh: &str, en: &str) {
        let e = RowError::new(
            self.row.row,
            &self.header(key),
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
    fn opt_date(&mut self, key: &str) -> Option<String> {
        let v = self.raw(key);
        if v.is_empty() {
            return None;
        }
        if chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_err() {
            self.bad(
                key,
                "date_format",
                "日期应为 YYYY-MM-DD",
                "date must be YYYY-MM-DD",
            );
        }
        Some(v)
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
    fn village(&mut self, key: &str, county: &mut Option<String>) -> String {
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
        let c = v[..6].to_string();
        match county {
            None => *county = Some(c),
            Some(first) if *first != c => self.bad(
                key,
                "one_county",
                "一个文件只导入一个县",
                "one file holds one county",
            ),
            _ => {}
        }
        v
    }
}

fn project_of(row: &Row, county: &mut Option<String>) -> (Project, Vec<RowError>) {
    let mut c = Cells {
        row,
        table: Table::Projects,
        errors: vec![],
    };
    let village = c.village("village", county);
    let kind = c.raw("kind");
    if !rules::CATEGORIES.contains(&kind.as_str()) {
        c.bad(
            "kind",
            "unknown_category",
            "未知的项目类别(见模板的代码表)",
            "unknown kind (see the template's codes)",
        );
    }
    let status = c.raw("status");
    if !PROJECT_STATUSES.contains(&status.as_str()) {
        c.bad(
            "status",
            "unknown_status",
            "状态应为 planned、underway、done 或 cancelled",
            "status must be planned, underway, done or cancelled",
        );
    }
    let p = Project {
        id: c.text("id"),
        county: village.get(..6).unwrap_or_default().to_string(),
        year: c.int("year", 2000, 2100) as i32,
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
    (p, c.errors)
}

fn loan_of(row: &Row, county: &mut Option<String>) -> (Loan, Vec<RowError>) {
    let mut c = Cells {
        row,
        table: Table::Loans,
        errors: vec![],
    };
    let village = c.village("village", county);
    let household = c.text("household");
    if !household.starts_with(&village) {
        c.bad(
            "household",
            "household_village",
            "户编号应以村区划代码开头",
            "the household number starts with its village's code",
        );
    }
    let start = c.opt_date("start");
    if start.is_none() {
        c.bad(
            "start",
            "date_format",
            "日期应为 YYYY-MM-DD",
            "date must be YYYY-MM-DD",
        );
    }
    let bank = c.raw("bank");
    let l = Loan {
        id: c.text("id"),
        county: village.get(..6).unwrap_or_default().to_string(),
        household,
        village,
        amount: c.money("amount"),
        term_months: c.int("term_months", 1, 600),
        guarantee: c.yes_no("guarantee"),
        collateral: c.yes_no("collateral"),
        start: start.unwrap_or_default(),
        bank: (!bank.is_empty()).then_some(bank),
        repayments: vec![],
        subsidies: vec![],
    };
    (l, c.errors)
}

/// Imports a sheet: every row checked; with any error nothing is written and the errors go to the
/// report (exit 3).
pub fn import(file: PathBuf, table: &str, report: Option<PathBuf>, g: &Global) -> Result {
    let table = table_of(table)?;
    let rows = read_table(&file, table).map_err(sheet_err)?;
    let mut county = None;
    let mut errors = Vec::new();
    let mut projects = Vec::new();
    let mut loans = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for row in &rows {
        let (id, e) = match table {
            Table::Projects => {
                let (p, e) = project_of(row, &mut county);
                let id = p.id.clone();
                projects.push(p);
                (id, e)
            }
            Table::Loans => {
                let (l, e) = loan_of(row, &mut county);
                let id = l.id.clone();
                loans.push(l);
                (id, e)
            }
        };
        errors.extend(e);
        if !id.is_empty() && !ids.insert(id.clone()) {
            errors.push(RowError::new(
                row.row,
                &format!("{} {}", table.columns()[0].0, table.columns()[0].1),
                &id,
                "duplicate_id",
                "编号重复",
                "the id appears twice",
            ));
        }
    }
    if !errors.is_empty() {
        let report = report.unwrap_or_else(|| default_report(&file));
        fupin_sheet::write_error_report(&report, &errors).map_err(sheet_err)?;
        for e in errors.iter().take(20) {
            eprintln!(
                "第 {} 行 row {}, {}: {} / {} ({})",
                e.row, e.row, e.column, e.zh, e.en, e.code
            );
        }
        return Err(CliError::Rejected(format!(
            "{} 处错误,未写入;错误报告 / {} errors, nothing written; error report: {}",
            errors.len(),
            errors.len(),
            report.display()
        )));
    }
    let url = g.db_url();
    let n = rows.len();
    crate::options::runtime()?.block_on(async {
        let store = fupin_store::SqlStore::open(&url).await?;
        for p in &projects {
            store.put_project(p, "导入 import").await?;
        }
        for l in &loans {
            store.put_loan(l, "导入 import").await?;
        }
        Ok::<_, CliError>(())
    })?;
    outln!("导入 / imported: {n} 行 rows");
    Ok(())
}

fn default_report(input: &Path) -> PathBuf {
    let mut p = input.as_os_str().to_owned();
    p.push(".errors.csv");
    PathBuf::from(p)
}

/// Exports a county's projects or loans in the import's layout.
pub fn export(table: &str, area: &str, out: &Path, g: &Global) -> Result {
    let table = table_of(table)?;
    let url = g.db_url();
    let rows: Vec<Vec<Cell>> = crate::options::runtime()?.block_on(async {
        let store = fupin_store::SqlStore::open(&url).await?;
        let county = &area[..area.len().min(6)];
        let t = |s: &str| Cell::Text(s.to_string());
        let o = |s: &Option<String>| Cell::Text(s.clone().unwrap_or_default());
        let yn = |b: bool| t(if b { "是" } else { "否" });
        Ok::<_, CliError>(match table {
            Table::Projects => store
                .projects(county, &ProjectFilter::default())
                .await?
                .into_iter()
                .map(|p| {
                    vec![
                        t(&p.id),
                        Cell::Int(p.year.into()),
                        t(&p.name),
                        t(&p.kind),
                        t(&p.village),
                        Cell::Money(p.budget.0),
                        o(&p.start),
                        o(&p.end),
                        Cell::Int(p.progress_pct),
                        t(&p.status),
                        Cell::Int(p.households),
                        Cell::Int(p.people),
                        t(&p.benefit),
                    ]
                })
                .collect(),
            Table::Loans => store
                .loans(county, None)
                .await?
                .into_iter()
                .map(|l| {
                    vec![
                        t(&l.id),
                        t(&l.household),
                        t(&l.village),
                        Cell::Money(l.amount.0),
                        Cell::Int(l.term_months),
                        yn(l.guarantee),
                        yn(l.collateral),
                        t(&l.start),
                        o(&l.bank),
                    ]
                })
                .collect(),
        })
    })?;
    let n = rows.len();
    write_table(out, table, rows).map_err(sheet_err)?;
    outln!("导出 / exported: {n} 行 rows to {}", out.display());
    Ok(())
}

/// Writes the import template of a table.
pub fn template(table: &str, out: &Path) -> Result {
    write_table(out, table_of(table)?, vec![]).map_err(sheet_err)?;
    outln!("模板 / template: {}", out.display());
    Ok(())
}
