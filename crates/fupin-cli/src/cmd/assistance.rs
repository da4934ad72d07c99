//! `fupin assistance check`: the gaps of household assistance (DOMAIN.md §12) of the households in a
//! JSON file (pure, like `fupin assess`) or of the registry (`--db`, under `--area`); and the body of
//! `fupin report assistance` (measures by kind in a period). The rules are
//! `fupin_core::assistance`; reads and writes `fupin_store::assistance`.

use crate::error::{CliError, Result};
use crate::options::{parse_date, Global};
use crate::table::render;
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use fupin_core::assistance::{self, Gap, KindSummary, MeasureKind, Report};
use fupin_core::money::fmt2;
use fupin_core::CodeList;
use fupin_store::assistance::Assistance;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum AssistanceCommand {
    /// 帮扶缺口:未就业、无兜底、未培训、危房、无计划、无措施 / the gaps of assistance of every
    /// poor or monitored household
    Check(CheckArgs),
    /// 导入帮扶计划和措施(XLSX:帮扶计划、帮扶措施两张表;全部或全不)/ import plans and measures
    /// from XLSX (sheets 帮扶计划, 帮扶措施), all or nothing
    Import(ImportArgs),
    /// 导出帮扶计划和措施(XLSX)/ export plans and measures as XLSX
    Export(ExportArgs),
    /// 生成空白模板(含代码表)/ write an empty template with the code lists
    Template {
        /// 输出文件 .xlsx / output file
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args)]
pub struct ImportArgs {
    /// XLSX 文件 / the workbook
    file: PathBuf,
    /// 错误报告(XLSX)/ write the errors to this XLSX file
    #[arg(long)]
    errors: Option<PathBuf>,
}

#[derive(Args)]
pub struct ExportArgs {
    /// 输出文件 .xlsx / output file
    #[arg(long)]
    out: PathBuf,
    /// 区划代码前缀 / area-code prefix (default: all)
    #[arg(long, default_value = "")]
    area: String,
}

fn import(a: ImportArgs, g: &Global) -> Result {
    let read = fupin_sheet::assistance::read_workbook(&a.file)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut errors = read.errors;
    let (mut plans, mut measures) = (0, 0);
    if errors.is_empty() {
        let batch = fupin_store::assistance::AssistanceImport {
            plans: read.plans,
            measures: read.measures,
        };
        let url = g.db_url();
        let out = crate::options::runtime()?.block_on(async {
            let store = fupin_store::SqlStore::open(&url).await?;
            store.import_assistance(&batch, "cli").await
        })?;
        let value = |sheet: &str, row: usize, key: &str| {
            let list = if sheet == "plans" {
                batch.plans.iter().find(|p| p.0 == row).map(|p| match key {
                    "household" => p.1.household.clone(),
                    _ => p.1.year.to_string(),
                })
            } else {
                batch
                    .measures
                    .iter()
                    .find(|m| m.0 == row)
                    .map(|m| match key {
                        "household" => m.1.household.clone(),
                        _ => m.1.person.clone().unwrap_or_default(),
                    })
            };
            list.unwrap_or_default()
        };
        for p in &out.problems {
            let (zh, en) = p
                .message
                .split_once(" / ")
                .unwrap_or((&p.message, &p.message));
            errors.push(
                fupin_core::error::RowError::new(
                    p.row,
                    fupin_sheet::assistance::header_of(p.sheet, p.field),
                    &value(p.sheet, p.row, p.field),
                    p.code,
                    zh,
                    en,
                )
                .in_household(&p.household),
            );
        }
        (plans, measures) = (out.plans, out.measures);
    }
    if errors.is_empty() {
        outln!("已导入 / imported: {plans} 个计划 plans, {measures} 项措施 measures");
        return Ok(());
    }
    if let Some(path) = &a.errors {
        fupin_sheet::write_error_report(path, &errors)
            .map_err(|e| CliError::Failed(e.to_string()))?;
    }
    for e in &errors {
        outln!("{e}");
    }
    Err(CliError::Rejected(format!(
        "{} 处错误,未导入 / {} errors, nothing imported",
        errors.len(),
        errors.len()
    )))
}

fn export(a: ExportArgs, g: &Global) -> Result {
    let url = g.db_url();
    let (plans, measures) = crate::options::runtime()?.block_on(async {
        let store = fupin_store::SqlStore::open(&url).await?;
        store.all_assistance(&a.area).await
    })?;
    fupin_sheet::assistance::write_workbook(&a.out, &plans, &measures)
        .map_err(|e| CliError::Failed(e.to_string()))?;
    outln!(
        "已导出 / exported: {} 个计划 plans, {} 项措施 measures → {}",
        plans.len(),
        measures.len(),
        a.out.display()
    );
    Ok(())
}

#[derive(Args)]
pub struct CheckArgs {
    /// 输入文件(JSON;`-` 为标准输入),不给则检查数据库(--db)/ input file (JSON; `-` for standard
    /// input); without it, the registry of --db
    #[arg(long)]
    input: Option<PathBuf>,
    /// 区划代码前缀(数据库)/ area-code prefix (the registry; default: all)
    #[arg(long, default_value = "", conflicts_with = "input")]
    area: String,
    /// 检查日期,覆盖文件中的 as_of(数据库默认今天)/ the date, overriding the file's as_of (the
    /// registry: today by default)
    #[arg(long, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value = "json")]
    format: crate::options::Format,
}

pub fn run(c: AssistanceCommand, g: &Global) -> Result {
    match c {
        AssistanceCommand::Check(a) => check(a, g),
        AssistanceCommand::Import(a) => import(a, g),
        AssistanceCommand::Export(a) => export(a, g),
        AssistanceCommand::Template { out } => {
            fupin_sheet::assistance::write_workbook(&out, &[], &[])
                .map_err(|e| CliError::Failed(e.to_string()))
        }
    }
}

fn check(a: CheckArgs, g: &Global) -> Result {
    let policies = g.policies()?;
    let report = match &a.input {
        Some(input) => {
            let value = crate::options::read_json_input(input)?;
            assistance::check(&value, &policies, a.as_of)
                .map_err(|e| CliError::Usage(format!("{}: {e}", input.display())))?
        }
        None => {
            crate::cmd::registry::check_area(&a.area)?;
            let as_of = a.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let url = g.db_url();
            // County by county on every core (the province in seconds: docs/PERFORMANCE.md).
            let out = crate::options::runtime()?.block_on(async {
                let store = fupin_store::SqlStore::open(&url).await?;
                fupin_store::assistance::check_counties(
                    &store,
                    &a.area,
                    as_of,
                    crate::cmd::whole::workers(),
                )
            })?;
            Report {
                as_of,
                policy: policies.name().to_string(),
                households: out.households,
                summary: out.summary,
                errors: Vec::new(),
            }
        }
    };
    match a.format {
        crate::options::Format::Json => {
            outln!("{}", serde_json::to_string_pretty(&report).expect("json"))
        }
        crate::options::Format::Table => out!("{}", render_check(&report)),
    }
    if report.errors.is_empty() {
        return Ok(());
    }
    let n = report.errors.len();
    Err(CliError::Rejected(
        if a.format == crate::options::Format::Json {
            format!("{n} 处错误,见 errors / {n} errors, see `errors`")
        } else {
            String::new()
        },
    ))
}

/// A gap as a table cell: its code, and for a member the masked ID number.
fn gap_cell(g: &assistance::GapItem) -> String {
    match &g.person {
        Some(p) => format!(
            "{}({})",
            g.code.code(),
            fupin_core::ResidentId::parse(p).map_or(p.clone(), |id| id.masked())
        ),
        None => g.code.code().to_string(),
    }
}

fn kinds_table(measures: &BTreeMap<MeasureKind, KindSummary>) -> String {
    let mut t = vec![vec![
        "措施 measure".to_string(),
        "户 households".into(),
        "人 people".into(),
        "次 count".into(),
        "金额 amount (yuan)".into(),
    ]];
    let mut total = KindSummary::default();
    for (k, s) in measures {
        t.push(vec![
            format!("{} {}", k.zh(), k.code()),
            s.households.to_string(),
            s.people.to_string(),
            s.count.to_string(),
            fmt2(s.amount),
        ]);
        total.count += s.count;
        total.amount += s.amount;
    }
    t.push(vec![
        "合计 total".into(),
        String::new(),
        String::new(),
        total.count.to_string(),
        fmt2(total.amount),
    ]);
    render(&t)
}

/// The terminal summary of a check: households with gaps, the gap counts, the measures of the year.
pub fn render_check(r: &Report) -> String {
    let mut out = format!(
        "帮扶缺口 Assistance gaps   日期 As of: {}   政策 Policy: {}\n\n",
        r.as_of, r.policy
    );
    let with: Vec<_> = r.households.iter().filter(|h| !h.gaps.is_empty()).collect();
    if !with.is_empty() {
        let mut t = vec![vec!["户 household".to_string(), "缺口 gaps".into()]];
        for h in &with {
            t.push(vec![
                h.id.clone(),
                h.gaps.iter().map(gap_cell).collect::<Vec<_>>().join(", "),
            ]);
        }
        out.push_str(&render(&t));
        out.push('\n');
    }
    out.push_str(&format!(
        "在帮扶范围的户 households in scope: {}   有缺口 with gaps: {}\n\n",
        r.summary.households, r.summary.with_gaps
    ));
    let mut t = vec![vec!["缺口 gap".to_string(), "户/人 count".into()]];
    for g in Gap::all() {
        t.push(vec![
            format!("{} {}", g.code(), g.zh()),
            r.summary.gaps.get(g).copied().unwrap_or(0).to_string(),
        ]);
    }
    out.push_str(&render(&t));
    out.push_str(&format!(
        "\n本年措施 measures of {}\n",
        r.as_of.format("%Y")
    ));
    out.push_str(&kinds_table(&r.summary.measures));
    if !r.errors.is_empty() {
        out.push_str(&format!("\n错误 Errors ({})\n", r.errors.len()));
        for e in &r.errors {
            out.push_str(&format!(
                "  {} {}: {} — {}\n",
                e.household.as_deref().unwrap_or("-"),
                e.field,
                e.code,
                e.message
            ));
        }
    }
    out
}

/// The formats of `fupin report assistance`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Json,
    Table,
    Xlsx,
}

/// `fupin report assistance`: measures by kind dated in a period.
#[derive(Args)]
pub struct ReportArgs {
    #[arg(long, value_parser = parse_date)]
    from: NaiveDate,
    #[arg(long, value_parser = parse_date)]
    to: NaiveDate,
    /// 区划代码前缀 / area-code prefix (default: all)
    #[arg(long, default_value = "")]
    area: String,
    #[arg(long, value_enum, default_value = "json")]
    format: ReportFormat,
    /// 输出文件(xlsx 必需)/ output file (required for xlsx)
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The body of `fupin report assistance`.
pub async fn report(a: ReportArgs, g: &Global) -> Result {
    crate::cmd::registry::check_area(&a.area)?;
    if a.from > a.to {
        return Err(CliError::Usage(
            "--from 晚于 --to / --from is after --to".into(),
        ));
    }
    if a.format == ReportFormat::Xlsx && a.out.is_none() {
        return Err(CliError::Usage(
            "xlsx 需要 --out 文件 / --format xlsx needs --out FILE".into(),
        ));
    }
    let policies = g.policies()?;
    let store = fupin_store::SqlStore::open(&g.db_url()).await?;
    let kinds = store.measures_by_kind(&a.area, a.from, a.to).await?;
    // The plans of the year of --to: households under assistance with one, and the plan ledger
    // (households below the policy's `monitoring_ledger_line`, Jincheng 2020: 4,000 yuan).
    use chrono::Datelike;
    let year = a.to.year();
    let check = store.assistance_check(&a.area, a.to).await?;
    let no_plan = check.summary.gaps.get(&Gap::NoPlan).copied().unwrap_or(0);
    let ledger_line = policies
        .for_area(&a.area)
        .yearly_opt("monitoring_ledger_line", a.to)
        .map(|s| s.value);
    let ledger = match ledger_line {
        Some(line) => store.below_line(&a.area, year, line).await?,
        None => Vec::new(),
    };
    let plans = serde_json::json!({
        "year": year,
        "in_scope": check.summary.households,
        "in_scope_with_plan": check.summary.households - no_plan,
        "ledger_line": ledger_line.map(fupin_core::money::fmt_plain),
        "below_ledger_line": ledger.len(),
        "below_ledger_line_with_plan": ledger.iter().filter(|(_, p)| *p).count(),
    });
    match a.format {
        ReportFormat::Json => {
            let total = kinds.values().fold(KindSummary::default(), |mut t, s| {
                t.count += s.count;
                t.amount += s.amount;
                t
            });
            let doc = serde_json::json!({
                "from": a.from.to_string(),
                "to": a.to.to_string(),
                "area": a.area,
                "measures": kinds,
                "total": {"count": total.count, "amount": fmt2(total.amount)},
                "plans": plans,
            });
            let text = format!("{}\n", serde_json::to_string_pretty(&doc).expect("json"));
            crate::options::write_out(a.out.as_deref(), &text).map_err(CliError::Failed)?;
        }
        ReportFormat::Table => {
            let text = format!(
                "帮扶措施 assistance measures {} — {}  区划 area {}\n\n{}",
                a.from,
                a.to,
                if a.area.is_empty() {
                    "全部 all"
                } else {
                    &a.area
                },
                kinds_table(&kinds)
            );
            crate::options::write_out(a.out.as_deref(), &text).map_err(CliError::Failed)?;
        }
        ReportFormat::Xlsx => {
            let path = a.out.as_deref().expect("checked");
            let bytes = fupin_sheet::assistance::report_xlsx(&kinds)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            std::fs::write(path, bytes)
                .map_err(|e| CliError::Failed(format!("{}: {e}", path.display())))?;
        }
    }
    Ok(())
}
