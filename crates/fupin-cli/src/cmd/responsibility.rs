//! `fupin responsibility check`: the coverage gaps of the responsibility network (DOMAIN.md §11)
//! in a JSON file, pure like `fupin assess`; the reports `fupin report visits` and `fupin report
//! teams` live here too (docs/responsibility.md).

use crate::error::{CliError, Result};
use crate::options::{parse_date, Format, Global};
use crate::table::render;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use fupin_core::responsibility::{self, Gap, Report, VisitFigures};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ResponsibilityCommand {
    /// 检查帮扶责任体系的覆盖缺口 / the coverage gaps of the responsibility network
    Check(CheckArgs),
}

#[derive(Args)]
pub struct CheckArgs {
    /// 输入文件(JSON;`-` 为标准输入);省略时检查数据库(--db)/ input file (JSON; `-` for
    /// standard input); without it, the registry of --db
    #[arg(long)]
    input: Option<PathBuf>,
    /// 区划代码前缀(数据库)/ area-code prefix (the registry; default: all)
    #[arg(long, default_value = "", conflicts_with = "input")]
    area: String,
    /// 检查日期,覆盖文件中的 as_of / check date, overriding the file's as_of
    #[arg(long, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

pub fn run(c: ResponsibilityCommand, g: &Global) -> Result {
    match c {
        ResponsibilityCommand::Check(a) => check(a, g),
    }
}

fn check(a: CheckArgs, g: &Global) -> Result {
    let policies = g.policies()?;
    let Some(input) = a.input else {
        return check_db(&a.area, a.as_of, a.format, &policies, g);
    };
    let value = crate::options::read_json_input(&input)?;
    let report = responsibility::run(&value, &policies, a.as_of)
        .map_err(|e| CliError::Usage(format!("{}: {e}", input.display())))?;
    print_report(&report, a.format)
}

/// The check over the registry (`--db`): the network of the area as the store holds it (households
/// at their current status), at `--as-of` (default today).
fn check_db(
    area: &str,
    as_of: Option<NaiveDate>,
    format: Format,
    policies: &fupin_core::PolicySet,
    g: &Global,
) -> Result {
    if !area.is_empty() && !fupin_core::area::is_area_prefix(area) {
        return Err(CliError::Usage(format!(
            "--area 应为区划代码前缀 / --area must be an area-code prefix, not {area:?}"
        )));
    }
    let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let url = g.db_url();
    let net = crate::options::runtime()?.block_on(async {
        use fupin_store::responsibility::Responsibility;
        let store = fupin_store::SqlStore::open(&url).await?;
        store.network(area).await
    })?;
    let (policy, gaps, visits) =
        responsibility::check(&net, policies, as_of).map_err(|e| CliError::Usage(e.to_string()))?;
    print_report(
        &Report {
            as_of,
            policy,
            gaps,
            visits,
            errors: Vec::new(),
        },
        format,
    )
}

fn print_report(report: &Report, format: Format) -> Result {
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(report).expect("json")),
        Format::Table => out!("{}", render_report(report)),
    }
    if report.errors.is_empty() {
        return Ok(());
    }
    let n = report.errors.len();
    Err(CliError::Rejected(if format == Format::Json {
        format!("{n} 处错误,见 errors / {n} errors, see `errors`")
    } else {
        String::new()
    }))
}

/// What a gap says beyond its subject, for a table cell.
fn gap_detail(g: &Gap) -> String {
    match g {
        Gap::CadreBelowQuota {
            pairings, quota, ..
        } => format!("{pairings}/{quota}"),
        Gap::PairingAfterExit { cadre, .. } | Gap::PairingOverTerm { cadre, .. } => {
            format!("干部 cadre {cadre}")
        }
        Gap::UnitSpread { villages, .. } => villages.join(", "),
        Gap::VillageNeedsFirstSecretary {
            poor_households, ..
        }
        | Gap::VillageNeedsTeam {
            poor_households, ..
        } => format!("贫困户 poor households {poor_households}"),
        Gap::HouseholdUnpaired { .. } | Gap::TeamOverTerm { .. } => String::new(),
    }
}

/// The visit figures as table rows (header first).
pub fn visit_rows(f: &VisitFigures) -> Vec<Vec<String>> {
    vec![
        vec![
            "走访 visits".into(),
            "走访户 households".into(),
            "问题 issues".into(),
            "已整改 closed".into(),
            "措施 measures".into(),
            "整改率 completion %".into(),
        ],
        vec![
            f.visits.to_string(),
            f.households_visited.to_string(),
            f.issues.to_string(),
            f.issues_closed.to_string(),
            f.measures.to_string(),
            f.completion_pct.clone().unwrap_or_else(|| "-".into()),
        ],
    ]
}

fn render_report(r: &Report) -> String {
    let mut out = format!("日期 as of {}  政策 policy {}\n\n", r.as_of, r.policy);
    let mut rows = vec![vec![
        "缺口 gap".to_string(),
        "说明 meaning".to_string(),
        "对象 subject".to_string(),
        "详情 detail".to_string(),
    ]];
    for g in &r.gaps {
        let (zh, en) = Gap::label(g.code());
        rows.push(vec![
            g.code().to_string(),
            format!("{zh} {en}"),
            g.subject().to_string(),
            gap_detail(g),
        ]);
    }
    if r.gaps.is_empty() {
        out.push_str("无缺口 / no gaps\n");
    } else {
        out.push_str(&render(&rows));
    }
    out.push('\n');
    out.push_str(&render(&visit_rows(&r.visits)));
    if !r.errors.is_empty() {
        out.push('\n');
        let mut rows = vec![vec![
            "字段 field".to_string(),
            "代码 code".to_string(),
            "说明 message".to_string(),
        ]];
        for e in &r.errors {
            rows.push(vec![e.field.clone(), e.code.clone(), e.message.clone()]);
        }
        out.push_str(&render(&rows));
    }
    out
}
