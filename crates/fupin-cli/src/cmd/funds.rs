//! `fupin funds check`: the money rules of one county and year (DOMAIN.md §14), from a JSON file
//! (pure, fupin-core's [`funds::check`]) or from the registry (`--db URL --year YYYY --area COUNTY`).
//! Exit status as `fupin assess`: 0 read and checked, 3 some items of the input are invalid (named
//! in `errors`, the rest checked), 2 unreadable input or bad usage.

use crate::error::{CliError, Result};
use crate::options::{Format, Global};
use crate::table;
use clap::{Args, Subcommand};
use fupin_core::funds::{self, Report, Rules};
use std::io::Read;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum FundsCommand {
    /// 检查资金规则:产业和以工代赈占比、专项资金占比和增长、合作社、小额信贷、分红 / check the funds rules
    Check(CheckArgs),
}

#[derive(Args)]
pub struct CheckArgs {
    /// 输入文件(JSON;`-` 为标准输入)/ input file (JSON; `-` for standard input)
    #[arg(long, required_unless_present = "year")]
    input: Option<PathBuf>,
    /// 年度(与 --db、--area 一起从登记库读取)/ the year, read from the registry (with --db and --area)
    #[arg(long, conflicts_with = "input", requires = "area")]
    year: Option<i32>,
    /// 县级区划代码 / the county's area code (with --year)
    #[arg(long, requires = "year")]
    area: Option<String>,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

pub fn run(c: FundsCommand, g: &Global) -> Result {
    match c {
        FundsCommand::Check(a) => check(a, g),
    }
}

/// The rules of the policy in force for a county.
pub fn rules_for(g: &Global, county: &str) -> std::result::Result<Rules, CliError> {
    let policies = g.policies()?;
    Rules::from_policy(&policies.for_area(county)).map_err(|e| CliError::Usage(e.to_string()))
}

fn check(a: CheckArgs, g: &Global) -> Result {
    let report = match (&a.input, a.year, &a.area) {
        (Some(input), _, _) => from_file(input, g)?,
        (None, Some(year), Some(area)) => from_db(g, year, area)?,
        _ => {
            return Err(CliError::Usage(
                "需要 --input 或 --year 与 --area / give --input, or --year with --area".into(),
            ))
        }
    };
    print(&report, a.format);
    if report.errors.is_empty() {
        return Ok(());
    }
    let n = report.errors.len();
    Err(CliError::Rejected(if a.format == Format::Json {
        format!("{n} 处错误,见 errors / {n} errors, see `errors`")
    } else {
        String::new()
    }))
}

fn from_file(input: &PathBuf, g: &Global) -> std::result::Result<Report, CliError> {
    let max = fupin_core::input::limits::MAX_JSON_BYTES;
    let mut text = String::new();
    let read = if input.as_os_str() == "-" {
        std::io::stdin().take(max + 1).read_to_string(&mut text)
    } else {
        std::fs::File::open(input).and_then(|f| f.take(max + 1).read_to_string(&mut text))
    };
    read.map_err(|e| {
        CliError::Usage(format!(
            "无法读取输入 / cannot read input {}: {e}",
            input.display()
        ))
    })?;
    if text.len() as u64 > max {
        return Err(CliError::Usage(format!(
            "输入文件过大,上限 {max} 字节 / {} is too large: the limit is {max} bytes",
            input.display()
        )));
    }
    let value = fupin_core::input::parse_json(&text).map_err(|e| {
        CliError::Usage(format!(
            "输入不是有效的 JSON / {} is not valid JSON: line {} column {}: {e}",
            input.display(),
            e.line(),
            e.column()
        ))
    })?;
    let county = value
        .get("county")
        .and_then(|c| c.as_str())
        .unwrap_or_default()
        .to_string();
    let rules = rules_for(g, &county)?;
    funds::check_json(&value, &rules)
        .map_err(|e| CliError::Usage(format!("{}: {e}", input.display())))
}

fn from_db(g: &Global, year: i32, area: &str) -> std::result::Result<Report, CliError> {
    let _ = (rules_for(g, area)?, year);
    Err(CliError::Usage(
        "登记库中的资金数据尚未支持 / funds in the registry: not yet".into(),
    ))
}

pub fn print(report: &Report, format: Format) {
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(report).expect("json")),
        Format::Table => out!("{}", render(report)),
    }
}

fn ok(b: bool) -> String {
    if b { "是 yes" } else { "否 no" }.to_string()
}

/// The terminal form: checks, cooperatives, loans, dividends, errors.
pub fn render(r: &Report) -> String {
    let mut out = format!("年度 Year: {}   县 County: {}\n\n", r.year, r.county);
    if !r.checks.is_empty() {
        out.push_str("检查 Checks\n");
        let mut rows = vec![["检查 Check", "实际% Value", "要求% At least", "达标 OK"]
            .map(String::from)
            .to_vec()];
        for c in &r.checks {
            let (zh, en) = funds::check_label(&c.code).unwrap_or(("", ""));
            rows.push(vec![
                format!("{zh} {en}"),
                c.value_pct.clone(),
                c.threshold_pct.clone(),
                ok(c.ok),
            ]);
        }
        out.push_str(&table::render(&rows));
        out.push('\n');
    }
    if !r.cooperatives.is_empty() {
        out.push_str("受扶持合作社 Supported cooperatives\n");
        let mut rows = vec![
            ["合作社 Cooperative", "贫困户成员% Poor members", "达标 OK"]
                .map(String::from)
                .to_vec(),
        ];
        for c in &r.cooperatives {
            rows.push(vec![c.name.clone(), c.poor_share_pct.clone(), ok(c.ok)]);
        }
        out.push_str(&table::render(&rows));
        out.push('\n');
    }
    if let Some(l) = &r.loans {
        out.push_str(&format!(
            "小额信贷 Small loans: {} 笔 loans, {} 元 yuan, 任务完成 of the task: {}%\n",
            l.count,
            l.amount,
            l.task_pct.as_deref().unwrap_or("—")
        ));
        for v in &l.violations {
            let (zh, en) = funds::check_label(&v.code).unwrap_or(("", ""));
            out.push_str(&format!("  {} {}: {zh} / {en}\n", v.loan, v.code));
        }
        for o in &l.overdue {
            out.push_str(&format!(
                "  逾期 overdue: {} 户 household {} 到期 due {} 未还 {} 元\n",
                o.loan, o.household, o.due, o.outstanding
            ));
        }
        out.push('\n');
    }
    for d in &r.dividends {
        out.push_str(&format!("分红 Dividends {}\n", d.asset));
        let mut rows = vec![["户 Household", "金额 Amount"].map(String::from).to_vec()];
        for s in &d.shares {
            rows.push(vec![s.household.clone(), s.amount.clone()]);
        }
        out.push_str(&table::render(&rows));
        out.push('\n');
    }
    if !r.errors.is_empty() {
        out.push_str("错误 Errors\n");
        for e in &r.errors {
            out.push_str(&format!(
                "  {} {}: {} ({})\n",
                e.field,
                e.item.as_deref().unwrap_or(""),
                e.message,
                e.code
            ));
        }
    }
    out
}
