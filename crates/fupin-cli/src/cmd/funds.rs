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
    /// 导入资金表(XLSX、CSV;全部有效才写入)/ import a funds table (all or nothing)
    Import(ImportArgs),
    /// 导出资金表 / export a funds table as XLSX
    Export(ExportArgs),
    /// 导入模板 / the import template of a funds table
    Template(TemplateArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// XLSX 或 CSV 文件 / the file
    file: PathBuf,
    /// 表:sources、years、projects、allocations、disbursements、loans、repayments、subsidies、assets、asset-income、cooperatives / the table
    #[arg(long)]
    table: String,
    /// 错误报告文件(默认 FILE.errors.csv)/ error report (default FILE.errors.csv)
    #[arg(long)]
    report: Option<PathBuf>,
}

#[derive(Args)]
pub struct ExportArgs {
    /// 表:sources、years、projects、allocations、disbursements、loans、repayments、subsidies、assets、asset-income、cooperatives / the table
    #[arg(long)]
    table: String,
    /// 县级区划代码 / the county
    #[arg(long)]
    area: String,
    /// 输出文件 .xlsx / output file .xlsx
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct TemplateArgs {
    /// 表:sources、years、projects、allocations、disbursements、loans、repayments、subsidies、assets、asset-income、cooperatives / the table
    #[arg(long)]
    table: String,
    /// 输出文件 .xlsx / output file .xlsx
    #[arg(long)]
    out: PathBuf,
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
        FundsCommand::Import(a) => crate::cmd::funds_sheet::import(a.file, &a.table, a.report, g),
        FundsCommand::Export(a) => crate::cmd::funds_sheet::export(&a.table, &a.area, &a.out, g),
        FundsCommand::Template(a) => crate::cmd::funds_sheet::template(&a.table, &a.out),
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
    use fupin_store::funds::Funds;
    let rules = rules_for(g, area)?;
    let url = g.db_url();
    crate::options::runtime()?.block_on(async {
        let store = fupin_store::SqlStore::open(&url).await?;
        let input = store.funds_input(year, area).await?;
        Ok(funds::check(&input, &rules))
    })
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

/// Report formats: JSON, a terminal table, or an XLSX workbook (`--out FILE.xlsx`).
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Json,
    Table,
    Xlsx,
}

#[derive(Args)]
pub struct ReportArgs {
    /// 年度 / the year
    #[arg(long)]
    year: i32,
    /// 区划代码前缀 / area-code prefix (default: every county with funds)
    #[arg(long, default_value = "")]
    area: String,
    #[arg(long, value_enum, default_value = "json")]
    format: ReportFormat,
    /// 输出文件(xlsx 必填)/ output file (required for xlsx)
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `fupin report funds`: each county's year — sources, the special fund and its growth against
/// the year before, allocations by category, the checks, loans against the task, projects by
/// status, dividends and the villages with their first collective income.
pub async fn report(a: ReportArgs, g: &Global) -> Result {
    use fupin_store::funds::{Funds, ProjectFilter};
    if !a.area.bytes().all(|b| b.is_ascii_digit()) || a.area.len() > 12 {
        return Err(CliError::Usage(format!(
            "区划应为数字 / --area must be digits: {}",
            a.area
        )));
    }
    if a.format == ReportFormat::Xlsx && a.out.is_none() {
        return Err(CliError::Usage(
            "xlsx 需要 --out FILE.xlsx / xlsx needs --out FILE.xlsx".into(),
        ));
    }
    let url = g.db_url();
    let year = a.year;
    let counties: Vec<serde_json::Value> = async {
        let store = fupin_store::SqlStore::open(&url).await?;
        let mut out = Vec::new();
        let prefix = &a.area[..a.area.len().min(6)];
        for county in store.funds_counties(prefix).await? {
            if !county.starts_with(prefix) {
                continue;
            }
            let rules = rules_for(g, &county)?;
            let input = store.funds_input(year, &county).await?;
            let checked = funds::check(&input, &rules);
            let own = |sources: &[fupin_store::funds::FundSource]| {
                sources
                    .iter()
                    .filter(|s| s.level == "county")
                    .map(|s| s.amount.0)
                    .sum::<fupin_core::Decimal>()
            };
            let this = store.fund_sources(&county, year).await?;
            let prev = store.fund_sources(&county, year - 1).await?;
            let prev2 = store.fund_sources(&county, year - 2).await?;
            let (f0, f1, f2) = (own(&this), own(&prev), own(&prev2));
            let growth = |a: fupin_core::Decimal, b: fupin_core::Decimal| {
                (b > fupin_core::Decimal::ZERO).then(|| funds::pct(a - b, b))
            };
            let (g1, g0) = (growth(f1, f2), growth(f0, f1));
            let mut levels: Vec<(String, fupin_core::Decimal)> = Vec::new();
            for s in &this {
                match levels.iter_mut().find(|(l, _)| *l == s.level) {
                    Some((_, v)) => *v += s.amount.0,
                    None => levels.push((s.level.clone(), s.amount.0)),
                }
            }
            let allocations = store.allocations(&county, Some(year)).await?;
            let allocated: fupin_core::Decimal = allocations.iter().map(|x| x.amount.0).sum();
            let by_category: Vec<serde_json::Value> = funds::CATEGORIES
                .iter()
                .filter_map(|c| {
                    let v: fupin_core::Decimal = allocations
                        .iter()
                        .filter(|x| x.category == *c)
                        .map(|x| x.amount.0)
                        .sum();
                    (v > fupin_core::Decimal::ZERO).then(|| {
                        serde_json::json!({"category": c, "amount": fmt2(v),
                            "pct": fmt2(funds::pct(v, allocated))})
                    })
                })
                .collect();
            let fy = store.fund_year(&county, year).await?;
            let projects = store
                .projects(
                    &county,
                    &ProjectFilter {
                        year: Some(year),
                        ..ProjectFilter::default()
                    },
                )
                .await?;
            let by_status: Vec<serde_json::Value> = fupin_store::funds::PROJECT_STATUSES
                .iter()
                .map(|s| {
                    let of: Vec<_> = projects.iter().filter(|p| p.status == *s).collect();
                    serde_json::json!({"status": s, "count": of.len(),
                        "budget": fmt2(of.iter().map(|p| p.budget.0).sum())})
                })
                .collect();
            let incomes = store.asset_incomes(&county, None).await?;
            let first =
                fupin_store::funds::first_collective_income(&store, &county, year).await?;
            let of_year: Vec<_> = incomes.iter().filter(|i| i.year == year).collect();
            let income: fupin_core::Decimal = of_year.iter().map(|i| i.income.0).sum();
            let collective: fupin_core::Decimal = of_year.iter().map(|i| i.collective.0).sum();
            let shares: usize = checked.dividends.iter().map(|d| d.shares.len()).sum();
            out.push(serde_json::json!({
                "county": county,
                "local_revenue": fy.as_ref().and_then(|y| y.local_revenue).map(|v| fmt2(v.0)),
                "sources": {
                    "by_level": levels.iter().map(|(l, v)| serde_json::json!({"level": l, "amount": fmt2(*v)})).collect::<Vec<_>>(),
                    "total": fmt2(levels.iter().map(|(_, v)| *v).sum()),
                },
                "special_fund": {
                    "this_year": fmt2(f0),
                    "previous_year": fmt2(f1),
                    "growth_pct": g0.map(fmt2),
                    "previous_growth_pct": g1.map(fmt2),
                    "amount_up": f0 > f1,
                    "growth_up": matches!((g0, g1), (Some(a), Some(b)) if a > b),
                },
                "allocations": {"total": fmt2(allocated), "by_category": by_category},
                "checks": checked.checks,
                "cooperatives": checked.cooperatives,
                "loans": checked.loans.as_ref().map(|l| serde_json::json!({
                    "count": l.count, "amount": l.amount,
                    "task": fy.as_ref().and_then(|y| y.loan_task).map(|v| fmt2(v.0)),
                    "task_pct": l.task_pct, "violations": l.violations.len(), "overdue": l.overdue.len(),
                })),
                "projects": {"count": projects.len(), "by_status": by_status},
                "dividends": {
                    "assets": of_year.len(), "income": fmt2(income), "collective": fmt2(collective),
                    "to_households": fmt2(income - collective), "shares": shares,
                    "first_collective_income_villages": first.len(), "villages": first,
                },
            }));
        }
        Ok::<_, CliError>(out)
    }
    .await?;
    let doc = serde_json::json!({"year": year, "area": a.area, "counties": counties});
    match a.format {
        ReportFormat::Json => match &a.out {
            Some(p) => std::fs::write(p, serde_json::to_string_pretty(&doc).expect("json"))
                .map_err(|e| CliError::Failed(format!("{}: {e}", p.display())))?,
            None => outln!("{}", serde_json::to_string_pretty(&doc).expect("json")),
        },
        ReportFormat::Table => out!("{}", report_table(&doc)),
        ReportFormat::Xlsx => {
            let path = a.out.as_deref().expect("checked above");
            fupin_sheet::funds::write_report(path, &report_sheets(&doc))
                .map_err(|e| CliError::Failed(format!("{}: {e}", path.display())))?;
            eprintln!("写入 / written: {}", path.display());
        }
    }
    Ok(())
}

fn fmt2(d: fupin_core::Decimal) -> String {
    fupin_core::money::fmt2(d)
}

fn s(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(x) => x.clone(),
        serde_json::Value::Null => "—".into(),
        other => other.to_string(),
    }
}

fn label(code: &str) -> String {
    funds::check_label(code)
        .or_else(|| funds::category_label(code))
        .map(|(zh, en)| format!("{zh} {en}"))
        .unwrap_or_else(|| code.to_string())
}

/// The report's rows, table by table: (title, rows with the header first).
fn report_tables(doc: &serde_json::Value) -> Vec<(String, Vec<Vec<String>>)> {
    let mut tables = Vec::new();
    for c in doc["counties"].as_array().into_iter().flatten() {
        let county = s(&c["county"]);
        let sf = &c["special_fund"];
        tables.push((
            format!("{county} 资金 Funds"),
            vec![
                vec!["项目 Item".into(), "值 Value".into()],
                vec![
                    "地方一般公共预算收入 Local revenue".into(),
                    s(&c["local_revenue"]),
                ],
                vec!["资金来源合计 Sources".into(), s(&c["sources"]["total"])],
                vec![
                    "县级专项扶贫资金 County special fund".into(),
                    s(&sf["this_year"]),
                ],
                vec!["上年 Previous year".into(), s(&sf["previous_year"])],
                vec!["增长率% Growth".into(), s(&sf["growth_pct"])],
                vec![
                    "上年增长率% Previous growth".into(),
                    s(&sf["previous_growth_pct"]),
                ],
                vec!["贷款笔数 Loans".into(), s(&c["loans"]["count"])],
                vec!["贷款金额 Amount lent".into(), s(&c["loans"]["amount"])],
                vec!["年度任务 Task".into(), s(&c["loans"]["task"])],
                vec!["任务完成% Of the task".into(), s(&c["loans"]["task_pct"])],
                vec!["项目数 Projects".into(), s(&c["projects"]["count"])],
                vec![
                    "收益资产 Assets with income".into(),
                    s(&c["dividends"]["assets"]),
                ],
                vec![
                    "分红到户 Dividends to households".into(),
                    s(&c["dividends"]["to_households"]),
                ],
                vec![
                    "村集体收益 Collective income".into(),
                    s(&c["dividends"]["collective"]),
                ],
                vec![
                    "首次有集体收益的村 Villages' first collective income".into(),
                    s(&c["dividends"]["first_collective_income_villages"]),
                ],
            ],
        ));
        let mut rows = vec![vec!["级别 Level".to_string(), "金额 Amount".into()]];
        for x in c["sources"]["by_level"].as_array().into_iter().flatten() {
            rows.push(vec![s(&x["level"]), s(&x["amount"])]);
        }
        tables.push((format!("{county} 来源 Sources"), rows));
        let mut rows = vec![vec![
            "类别 Category".to_string(),
            "金额 Amount".into(),
            "占比% Share".into(),
        ]];
        for x in c["allocations"]["by_category"]
            .as_array()
            .into_iter()
            .flatten()
        {
            rows.push(vec![
                label(&s(&x["category"])),
                s(&x["amount"]),
                s(&x["pct"]),
            ]);
        }
        tables.push((format!("{county} 分配 Allocations"), rows));
        let mut rows = vec![vec![
            "检查 Check".to_string(),
            "实际% Value".into(),
            "要求% At least".into(),
            "达标 OK".into(),
        ]];
        for x in c["checks"].as_array().into_iter().flatten() {
            rows.push(vec![
                label(&s(&x["code"])),
                s(&x["value_pct"]),
                s(&x["threshold_pct"]),
                ok(x["ok"] == true),
            ]);
        }
        tables.push((format!("{county} 检查 Checks"), rows));
        let mut rows = vec![vec![
            "状态 Status".to_string(),
            "项目 Projects".into(),
            "预算 Budget".into(),
        ]];
        for x in c["projects"]["by_status"].as_array().into_iter().flatten() {
            rows.push(vec![s(&x["status"]), s(&x["count"]), s(&x["budget"])]);
        }
        tables.push((format!("{county} 项目 Projects"), rows));
    }
    tables
}

fn report_table(doc: &serde_json::Value) -> String {
    let mut out = format!("年度 Year: {}\n\n", s(&doc["year"]));
    for (title, rows) in report_tables(doc) {
        out.push_str(&title);
        out.push('\n');
        out.push_str(&table::render(&rows));
        out.push('\n');
    }
    out
}

fn report_sheets(doc: &serde_json::Value) -> Vec<fupin_sheet::funds::Sheet> {
    use fupin_sheet::Cell;
    report_tables(doc)
        .into_iter()
        .enumerate()
        .map(|(i, (title, rows))| fupin_sheet::funds::Sheet {
            // Sheet names: at most 31 characters, unique.
            name: format!("{} {}", i + 1, title.split(' ').nth(1).unwrap_or("")),
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(r, row)| {
                    row.into_iter()
                        .map(|x| {
                            if r > 0 {
                                if let Ok(d) = fupin_core::money::parse_money(&x) {
                                    if x.contains('.') {
                                        return Cell::Money(d);
                                    }
                                    if let Ok(n) = x.parse::<i64>() {
                                        return Cell::Int(n);
                                    }
                                }
                            }
                            Cell::Text(x)
                        })
                        .collect()
                })
                .collect(),
        })
        .collect()
}
