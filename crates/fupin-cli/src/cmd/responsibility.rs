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
    /// 导入工作簿(单位、干部、结对、工作队、走访)/ import the workbook (all or nothing)
    Import(ImportArgs),
    /// 导出工作簿 / export the network of an area as the workbook
    Export(ExportArgs),
    /// 空白工作簿模板 / the workbook's template
    Template(TemplateArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// XLSX 工作簿 / the workbook
    file: PathBuf,
    /// 单位、干部未填区划时的区划 / the area of units and cadres whose 所属区划 is empty
    #[arg(long, default_value = "")]
    area: String,
    /// 错误报告文件 .xlsx 或 .csv / error report file
    #[arg(long)]
    report: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

#[derive(Args)]
pub struct ExportArgs {
    /// 输出 XLSX 文件 / output file
    file: PathBuf,
    /// 区划代码前缀 / area-code prefix (default: all)
    #[arg(long, default_value = "")]
    area: String,
}

#[derive(Args)]
pub struct TemplateArgs {
    /// 输出 XLSX 文件 / output file
    file: PathBuf,
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
        ResponsibilityCommand::Import(a) => crate::options::runtime()?.block_on(import(a, g)),
        ResponsibilityCommand::Export(a) => crate::options::runtime()?.block_on(export(a, g)),
        ResponsibilityCommand::Template(a) => {
            fupin_sheet::responsibility::write_workbook(&a.file, &serde_json::json!({}))
                .map_err(|e| CliError::Usage(e.to_string()))
        }
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
    let (net, figures) = crate::options::runtime()?.block_on(async {
        use fupin_store::responsibility::Responsibility;
        let store = fupin_store::SqlStore::open(&url).await?;
        let net = store.check_network(area, as_of).await?;
        let since = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
        let figures = store.visit_figures(area, 0, since, as_of).await?;
        Ok::<_, fupin_store::StoreError>((net, figures))
    })?;
    let (policy, gaps, _) =
        responsibility::check(&net, policies, as_of).map_err(|e| CliError::Usage(e.to_string()))?;
    let visits = figures
        .into_iter()
        .next()
        .map(|(_, f)| f)
        .unwrap_or_default();
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

/// The output of `fupin report visits`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VisitsFormat {
    Json,
    Table,
    Xlsx,
}

#[derive(Args)]
pub struct VisitsArgs {
    #[arg(long, value_parser = parse_date)]
    from: NaiveDate,
    #[arg(long, value_parser = parse_date)]
    to: NaiveDate,
    /// 区划代码前缀 / area-code prefix (default: all)
    #[arg(long, default_value = "")]
    area: String,
    #[arg(long, value_enum, default_value = "json")]
    format: VisitsFormat,
    /// 输出文件(xlsx)/ output file (required with --format xlsx)
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args)]
pub struct TeamsArgs {
    #[arg(long, value_parser = parse_date)]
    as_of: NaiveDate,
    /// 区划代码前缀 / area-code prefix (default: all)
    #[arg(long, default_value = "")]
    area: String,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

fn check_area(area: &str) -> Result {
    if area.is_empty() || fupin_core::area::is_area_prefix(area) {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "--area 应为区划代码前缀 / --area must be an area-code prefix, not {area:?}"
        )))
    }
}

fn figures_json(area: &str, f: &VisitFigures) -> serde_json::Value {
    let mut v = serde_json::to_value(f).expect("json");
    v["area"] = serde_json::json!(area);
    v
}

/// `fupin report visits`: the visit figures of the area and of each area one level below it.
pub async fn visits(a: VisitsArgs, g: &Global) -> Result {
    use fupin_store::responsibility::Responsibility;
    check_area(&a.area)?;
    if a.from > a.to {
        return Err(CliError::Usage(
            "--from 晚于 --to / --from is after --to".into(),
        ));
    }
    if a.format == VisitsFormat::Xlsx && a.out.is_none() {
        return Err(CliError::Usage(
            "--format xlsx 需要 --out FILE / --format xlsx needs --out FILE".into(),
        ));
    }
    let store = fupin_store::SqlStore::open(&g.db_url()).await?;
    let total = store.visit_figures(&a.area, 0, a.from, a.to).await?;
    let below = fupin_core::area::child_len(a.area.len()).unwrap_or(12);
    let areas = store.visit_figures(&a.area, below, a.from, a.to).await?;
    let total = total.into_iter().next().map(|(_, f)| f).unwrap_or_default();
    match a.format {
        VisitsFormat::Json => {
            let out = serde_json::json!({
                "from": a.from, "to": a.to, "area": a.area,
                "visits": total,
                "areas": areas.iter().map(|(k, f)| figures_json(k, f)).collect::<Vec<_>>(),
            });
            outln!("{}", serde_json::to_string_pretty(&out).expect("json"));
        }
        VisitsFormat::Table => {
            let mut rows = visit_rows(&total);
            rows[0].insert(0, "区划 area".into());
            rows[1].insert(
                0,
                if a.area.is_empty() {
                    "全部 all".into()
                } else {
                    a.area.clone()
                },
            );
            for (k, f) in &areas {
                let mut r = visit_rows(f).remove(1);
                r.insert(0, k.clone());
                rows.push(r);
            }
            out!("{} … {}\n{}", a.from, a.to, render(&rows));
        }
        VisitsFormat::Xlsx => {
            use fupin_sheet::write::{Cell, XlsxTable};
            let path = a.out.expect("checked");
            let err = |e: fupin_sheet::SheetError| CliError::Usage(e.to_string());
            let mut t = XlsxTable::named("走访").map_err(err)?;
            t.header(&[
                "区划 area",
                "走访 visits",
                "走访户 households",
                "问题 issues",
                "已整改 closed",
                "措施 measures",
                "整改率 completion %",
            ])
            .map_err(err)?;
            let row = |k: &str, f: &VisitFigures| {
                vec![
                    Cell::Text(k.to_string()),
                    Cell::Int(f.visits as i64),
                    Cell::Int(f.households_visited as i64),
                    Cell::Int(f.issues as i64),
                    Cell::Int(f.issues_closed as i64),
                    Cell::Int(f.measures as i64),
                    f.completion_pct.clone().map_or(Cell::Empty, Cell::Text),
                ]
            };
            t.cells(&row(
                if a.area.is_empty() {
                    "全部 all"
                } else {
                    &a.area
                },
                &total,
            ))
            .map_err(err)?;
            for (k, f) in &areas {
                t.cells(&row(k, f)).map_err(err)?;
            }
            std::fs::write(&path, t.finish().map_err(err)?).map_err(|e| {
                CliError::Usage(format!("无法写入 / cannot write {}: {e}", path.display()))
            })?;
        }
    }
    Ok(())
}

/// `fupin report teams`: the work teams active at the date, their members and first secretaries,
/// the villages they cover, and the coverage gaps of the area by code.
pub async fn teams(a: TeamsArgs, g: &Global) -> Result {
    use fupin_store::responsibility::Responsibility;
    check_area(&a.area)?;
    let policies = g.policies()?;
    let store = fupin_store::SqlStore::open(&g.db_url()).await?;
    let net = store.check_network(&a.area, a.as_of).await?;
    let active: Vec<_> = net
        .teams
        .iter()
        .filter(|t| responsibility::active(t.start, t.end, a.as_of))
        .collect();
    let members: usize = active.iter().map(|t| t.members.len()).sum();
    let secretaries = active
        .iter()
        .flat_map(|t| t.members.iter())
        .filter(|m| m.is_first_secretary())
        .count();
    let villages: std::collections::BTreeSet<&str> =
        active.iter().map(|t| t.village.as_str()).collect();
    let enterprise = store
        .enterprise_pairings(&a.area)
        .await?
        .iter()
        .filter(|p| responsibility::active(p.start, p.end, a.as_of))
        .count();
    let (policy, gaps, _) = responsibility::check(&net, &policies, a.as_of)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut by_code = std::collections::BTreeMap::new();
    for code in responsibility::GAP_CODES {
        by_code.insert(*code, 0u64);
    }
    for g in &gaps {
        *by_code.entry(g.code()).or_insert(0) += 1;
    }
    match a.format {
        Format::Json => {
            let out = serde_json::json!({
                "as_of": a.as_of, "area": a.area, "policy": policy,
                "teams": active.len(), "members": members, "first_secretaries": secretaries,
                "villages_covered": villages.len(), "enterprise_pairings": enterprise,
                "gaps": by_code,
            });
            outln!("{}", serde_json::to_string_pretty(&out).expect("json"));
        }
        Format::Table => {
            let mut rows = vec![
                vec![
                    "工作队 teams".to_string(),
                    "队员 members".into(),
                    "第一书记 first secretaries".into(),
                    "覆盖村 villages".into(),
                ],
                vec![
                    active.len().to_string(),
                    members.to_string(),
                    secretaries.to_string(),
                    villages.len().to_string(),
                ],
            ];
            let mut text = format!(
                "日期 as of {}  政策 policy {policy}\n{}\n",
                a.as_of,
                render(&rows)
            );
            rows = vec![vec![
                "缺口 gap".to_string(),
                "说明 meaning".into(),
                "数量 count".into(),
            ]];
            for (code, n) in &by_code {
                let (zh, en) = Gap::label(code);
                rows.push(vec![code.to_string(), format!("{zh} {en}"), n.to_string()]);
            }
            text.push_str(&render(&rows));
            out!("{text}");
        }
    }
    Ok(())
}

fn sheet_error(e: fupin_sheet::SheetError) -> CliError {
    CliError::Usage(e.to_string())
}

/// `fupin responsibility import`: the workbook checked by fupin-core's parser against the
/// registry's households, units and cadres; every error placed at its sheet, row and column; all
/// or nothing.
async fn import(a: ImportArgs, g: &Global) -> Result {
    use fupin_store::responsibility::Responsibility;
    use fupin_web::responsibility::workbook::{plan, PlanError};
    use serde_json::json;
    check_area(&a.area)?;
    let wb = fupin_sheet::responsibility::read_workbook(&a.file).map_err(sheet_error)?;
    let store = fupin_store::SqlStore::open(&g.db_url()).await?;
    let planned = match plan(&store, &store, &wb, &a.area, None).await {
        Ok(p) => p,
        Err(PlanError::Store(e)) => return Err(e.into()),
        Err(PlanError::Input(m)) => return Err(CliError::Usage(m)),
    };
    let row_errors = planned.errors;
    if !row_errors.is_empty() {
        if let Some(p) = &a.report {
            fupin_sheet::write_error_report(p, &row_errors).map_err(sheet_error)?;
        }
        match a.format {
            Format::Json => outln!(
                "{}",
                serde_json::to_string_pretty(&json!({"committed": false, "errors": row_errors}))
                    .expect("json")
            ),
            Format::Table => {
                let mut rows = vec![vec![
                    "行 row".to_string(),
                    "列 column".into(),
                    "代码 code".into(),
                    "说明 message".into(),
                ]];
                for e in &row_errors {
                    rows.push(vec![
                        e.row.to_string(),
                        e.column.clone(),
                        e.code.clone(),
                        format!("{} / {}", e.zh, e.en),
                    ]);
                }
                out!("{}", render(&rows));
            }
        }
        let n = row_errors.len();
        return Err(CliError::Rejected(format!(
            "{n} 处错误,未导入 / {n} errors, nothing imported"
        )));
    }
    let batch = planned.batch;
    let actor = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "cli".into());
    store.save_network(&batch, &actor).await?;
    let counts = json!({"committed": true, "units": batch.units.len(), "cadres": batch.cadres.len(),
        "pairings": batch.pairings.len(), "teams": batch.teams.len(), "visits": batch.visits.len(), "errors": []});
    outln!("{}", serde_json::to_string_pretty(&counts).expect("json"));
    Ok(())
}

/// `fupin responsibility export`: the network of an area as the workbook.
async fn export(a: ExportArgs, g: &Global) -> Result {
    use fupin_store::responsibility::Responsibility;
    use serde_json::{json, Value};
    check_area(&a.area)?;
    let store = fupin_store::SqlStore::open(&g.db_url()).await?;
    let units: Vec<Value> = store
        .units(&a.area)
        .await?
        .iter()
        .map(|u| json!(u))
        .collect();
    let cadres: Vec<Value> = store
        .cadres(&a.area)
        .await?
        .iter()
        .map(|c| json!(c))
        .collect();
    let pairings: Vec<Value> = store
        .pairings(&a.area)
        .await?
        .iter()
        .map(|p| json!(p.pairing))
        .collect();
    let teams: Vec<Value> = store
        .teams(&a.area)
        .await?
        .iter()
        .map(|t| json!(t))
        .collect();
    // Dates are ISO text in the store: a four-digit year on both ends.
    let from = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
    let to = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
    let visits: Vec<Value> = store
        .visits(&a.area, from, to)
        .await?
        .iter()
        .map(|v| json!(v))
        .collect();
    let doc = json!({"units": units, "cadres": cadres, "pairings": pairings, "teams": teams, "visits": visits});
    fupin_sheet::responsibility::write_workbook(&a.file, &doc).map_err(sheet_error)?;
    outln!(
        "{}",
        serde_json::to_string_pretty(
            &json!({"file": a.file, "units": units.len(), "cadres": cadres.len(),
        "pairings": pairings.len(), "teams": teams.len(), "visits": visits.len()})
        )
        .expect("json")
    );
    Ok(())
}
