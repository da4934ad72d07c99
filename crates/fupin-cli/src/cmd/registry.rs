//! The registry commands: import, export, template, history, report changes (docs/registry.md).
//!
//! Exit status ([`CliError`]): 0 done; 1 the database failed or refused the write (e.g. a
//! conflict); 2 unreadable file, bad database URL or bad usage; 3 some rows are invalid (nothing
//! imported unless `--partial`), or no such household.

use crate::error::{CliError, Result};
use crate::options::{parse_date, Format, Global};
use crate::table::render;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use fupin_core::codes::{CodeList, HouseholdStatus};
use fupin_sheet::{ExportWriter, ReadCounters, SheetError};
use fupin_store::model::{ChangeReport, History};
use fupin_store::{ExportFilter, ImportOptions, Repository, StoreError};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Subcommand)]
pub enum RegistryCommand {
    /// 导入 CSV/XLSX/JSON 到建档立卡数据库 / import a CSV, XLSX or assess-JSON file into the registry
    Import(ImportArgs),
    /// 导出(与导入格式相同) / export households in the format import reads
    Export(ExportArgs),
    /// 生成空白导入模板(含代码表) / write an empty import template with the code lists
    Template {
        /// 输出文件 .xlsx 或 .csv / output file
        #[arg(long)]
        out: PathBuf,
    },
    /// 户的历史:某日的状态、成员和事件 / a household's status, members and events as of a date
    History(HistoryArgs),
    /// 报表 / reports
    #[command(subcommand)]
    Report(ReportCommand),
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// 动态管理变化情况 / the dynamic-management report of a period
    Changes(crate::cmd::report::PeriodArgs),
    /// 贫困村及其退出 / poor villages and their exits in a period
    Villages(crate::cmd::report::PeriodArgs),
    /// 帮扶措施:按类型的户数、人数、次数和金额 / assistance measures by kind in a period
    Assistance(crate::cmd::assistance::ReportArgs),
    /// 扶贫资金、项目、小额信贷和分红 / funds, projects, small loans and dividends of a year
    Funds(crate::cmd::funds::ReportArgs),
    /// 走访、问题与整改 / visits, issues and measures of a period, by area
    Visits(crate::cmd::responsibility::VisitsArgs),
    /// 驻村工作队与覆盖缺口 / work teams and coverage gaps at a date
    Teams(crate::cmd::responsibility::TeamsArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// CSV、XLSX 或 JSON 文件 / the file
    file: PathBuf,
    /// 生效日期(默认:JSON 的 as_of,否则今天) / effective date of the changes
    #[arg(long, value_parser = parse_date)]
    date: Option<NaiveDate>,
    /// 导入有效的户,报告其余 / import the valid households and report the rest
    #[arg(long)]
    partial: bool,
    /// 只校验,不写入 / validate only, change nothing
    #[arg(long)]
    dry_run: bool,
    /// 错误报告文件 .xlsx 或 .csv(默认:FILE.errors.csv) / error report file
    #[arg(long)]
    report: Option<PathBuf>,
    /// 不显示进度 / no progress display (also off without a terminal)
    #[arg(long, short)]
    quiet: bool,
    /// 错误报告最多列出的错误数,其余只计数 / the most errors kept for the report (the rest are counted)
    #[arg(long, value_name = "N", default_value_t = fupin_store::ImportOutcome::ERRORS_KEPT)]
    max_errors: usize,
    /// Reads and validates the file only, opening no database: the "plain read" beside which
    /// `scripts/bench-import.sh` measures an import.
    #[arg(long, hide = true)]
    read_only: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// 输出文件 .xlsx 或 .csv / output file
    #[arg(long)]
    out: PathBuf,
    /// 区划代码前缀 / area-code prefix
    #[arg(long, default_value = "")]
    area: String,
    /// 户状态(可多个,逗号分隔) / statuses, comma-separated: poor, exited, returned, removed, non_poor
    #[arg(long, value_delimiter = ',')]
    status: Vec<String>,
}

#[derive(Args)]
pub struct HistoryArgs {
    /// 户编号 / household number
    household: String,
    /// 截至日期 / as of this date (default: now)
    #[arg(long, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

/// Runs a registry command.
pub fn run(cmd: RegistryCommand, g: &Global) -> Result {
    crate::options::runtime()?.block_on(run_async(cmd, g))
}

/// The registry of the database `--db`.
pub async fn repo(g: &Global) -> std::result::Result<Arc<dyn Repository>, StoreError> {
    fupin_store::open(&g.db_url()).await
}

pub(crate) fn check_area(area: &str) -> Result {
    if area.is_empty() || fupin_core::area::is_area_prefix(area) {
        Ok(())
    } else {
        Err(CliError::store(StoreError::File(format!(
            "区划代码前缀应为 2、4、6、9 或 12 位数字 / an area prefix has 2, 4, 6, 9 or 12 digits: {area}"
        ))))
    }
}

async fn run_async(cmd: RegistryCommand, g: &Global) -> Result {
    match cmd {
        RegistryCommand::Import(a) => import(a, g).await,
        RegistryCommand::Export(a) => {
            check_area(&a.area)?;
            let mut statuses = Vec::new();
            for s in &a.status {
                statuses.push(HouseholdStatus::parse(s).ok_or_else(|| {
                    StoreError::File(format!(
                        "未知户状态 / unknown status {s:?}: poor, exited, returned, removed, non_poor"
                    ))
                })?);
            }
            fupin_sheet::Format::of(&a.out).map_err(file_error)?;
            let repo = repo(g).await?;
            let filter = ExportFilter {
                area: a.area.clone(),
                statuses,
            };
            let mut w = ExportWriter::create(&a.out).map_err(file_error)?;
            let n = repo
                .export(&filter, &mut |h| w.write(h).map_err(file_error))
                .await?;
            w.finish().map_err(file_error)?;
            eprintln!(
                "已导出 {n} 户 / exported {n} households to {}",
                a.out.display()
            );
            Ok(())
        }
        RegistryCommand::Template { out } => {
            fupin_sheet::write_template(&out).map_err(file_error)?;
            eprintln!("已生成模板 / template written: {}", out.display());
            Ok(())
        }
        RegistryCommand::History(a) => {
            let repo = repo(g).await?;
            let h = match repo.history(&a.household, a.as_of).await {
                Err(StoreError::NotFound(what)) => {
                    return Err(CliError::Rejected(format!("没有记录 / no record: {what}")));
                }
                other => other?,
            };
            match a.format {
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&h).expect("serializable")
                ),
                Format::Table => out!("{}", history_table(&h)),
            }
            Ok(())
        }
        RegistryCommand::Report(ReportCommand::Assistance(a)) => {
            crate::cmd::assistance::report(a, g).await
        }
        RegistryCommand::Report(ReportCommand::Funds(a)) => crate::cmd::funds::report(a, g).await,
        RegistryCommand::Report(ReportCommand::Visits(a)) => {
            crate::cmd::responsibility::visits(a, g).await
        }
        RegistryCommand::Report(ReportCommand::Teams(a)) => {
            crate::cmd::responsibility::teams(a, g).await
        }
        RegistryCommand::Report(ReportCommand::Villages(a)) => {
            crate::cmd::report::villages(a, g).await
        }
        RegistryCommand::Report(ReportCommand::Changes(a)) => {
            check_area(&a.area)?;
            if a.from > a.to {
                return Err(CliError::store(StoreError::File(
                    "--from 晚于 --to / --from is after --to".into(),
                )));
            }
            let repo = repo(g).await?;
            let r = fupin_store::period_report(repo.as_ref(), a.from, a.to, &a.area).await?;
            // New monitoring enrolments through decided cases (cmd/monitoring.rs).
            let enrolled = crate::cmd::monitoring::enrolments(g, &a).await?;
            match a.format {
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&crate::cmd::monitoring::with_enrolments(
                        &r, &enrolled
                    ))
                    .expect("serializable")
                ),
                Format::Table => out!(
                    "{}{}",
                    report_table(&r),
                    crate::cmd::monitoring::enrolments_table(&enrolled)
                ),
            }
            Ok(())
        }
    }
}

/// A file's error, as the store's (the messages and exit codes the command has always had).
fn file_error(e: SheetError) -> StoreError {
    match e {
        SheetError::File(m) => StoreError::File(m),
        SheetError::Io(e) => StoreError::Io(e),
    }
}

fn default_report(input: &Path) -> PathBuf {
    let name = input
        .file_name()
        .map_or("import".into(), |n| n.to_string_lossy().into_owned());
    input.with_file_name(format!("{name}.errors.csv"))
}

/// Households per part of a file read as it is imported (a few MB; the store writes 1,000 per
/// statement).
const PART: usize = 4000;

/// Imports a file: a reader thread reads and validates it in parts while the store checks and
/// writes the parts before it, in one transaction (all or nothing unless `--partial`).
async fn import(a: ImportArgs, g: &Global) -> Result {
    let show = !a.quiet && std::io::stderr().is_terminal();
    let today = chrono::Local::now().date_naive();
    let mut stream =
        fupin_sheet::stream_file(&a.file, a.date.unwrap_or(today), PART).map_err(file_error)?;
    let date = a.date.or(stream.as_of).unwrap_or(today);
    let actor = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "cli".into());
    let mut opts = ImportOptions::new(date, &actor, Arc::new(g.policies()?));
    opts.partial = a.partial;
    opts.dry_run = a.dry_run;
    opts.errors_kept = a.max_errors;
    // The command has the database to itself while it runs (a first import into an empty SQLite
    // registry then writes without the WAL when no other process has the file open).
    opts.alone = true;
    let written = Arc::new(AtomicU64::new(0));
    let w = written.clone();
    opts.progress = Some(Arc::new(move |n| w.store(n, Ordering::Relaxed)));
    if a.read_only {
        let (mut households, mut errors) = (0, 0);
        for part in stream {
            let part = part.map_err(file_error)?;
            households += part.households.len();
            errors += part.errors.len();
        }
        outln!("读取 / read: {households} 户 households, {errors} 个错误 errors");
        return Ok(());
    }
    let counters = stream.counters.clone();
    let progress = show.then(|| Progress::start(stream.size, counters.clone(), written.clone()));
    let repo = repo(g).await?;
    let areas = std::mem::take(&mut stream.areas);
    // The reader runs on its own thread (one core), the store's writes on this one (the other);
    // two parts in flight bound the memory.
    let (send, parts) = tokio::sync::mpsc::channel(2);
    let reader = std::thread::spawn(move || {
        for part in stream {
            let chunk = part
                .map(|p| fupin_store::Chunk {
                    households: p.households,
                    errors: p.errors,
                    rows: p.rows,
                })
                .map_err(file_error);
            let stop = chunk.is_err();
            if send.blocking_send(chunk).is_err() || stop {
                break;
            }
        }
    });
    let out = repo.import_stream(parts, areas, &opts).await;
    // The reader ends when the store stops taking parts (the channel closes).
    let _ = reader.join();
    if let Some(p) = progress {
        p.finish();
    }
    let out = out?;
    let rows = counters.rows.load(Ordering::Relaxed);
    let verb = if out.committed {
        "已导入 / imported"
    } else {
        "未导入 / not imported"
    };
    outln!(
        "{verb}: {rows} 行 rows; 新增 created {}, 更新 updated {}, 未变 unchanged {}, 跳过 skipped {}, 事件 events {}; 生效日期 date {date}",
        out.created, out.updated, out.unchanged, out.skipped, out.events
    );
    if out.is_clean() {
        if a.dry_run {
            outln!("试运行,未写入 / dry run, nothing written");
        }
        return Ok(());
    }
    for e in out.errors.iter().take(20) {
        eprintln!("{e}");
    }
    let count = out.error_count();
    if count > 20 {
        eprintln!("…… 共 {count} 个错误 / {count} errors in all");
    }
    let report = a.report.clone().unwrap_or_else(|| default_report(&a.file));
    let mut listed = out.errors;
    if out.errors_left_off > 0 {
        // The report's last row says how many more there were.
        let (kept, more) = (listed.len(), out.errors_left_off);
        listed.push(fupin_store::RowError::new(
            0,
            "",
            "",
            "errors_left_off",
            &format!("另有 {more} 个错误未列出(只列出前 {kept} 个)"),
            &format!("{more} more errors not listed (the first {kept} are)"),
        ));
        eprintln!(
            "错误报告只列出前 {kept} 个错误(共 {count} 个) / the report lists the first {kept} errors of {count}"
        );
    }
    fupin_sheet::write_error_report(&report, &listed).map_err(file_error)?;
    eprintln!("错误报告 / error report: {}", report.display());
    if !out.committed && !a.dry_run {
        eprintln!("有错误,数据库未改变(可用 --partial 导入有效的户) / errors found: the database is unchanged (--partial imports the valid households)");
    }
    Err(CliError::Rejected(String::new()))
}

fn history_table(h: &History) -> String {
    let mut out = format!(
        "户 household {}  区划 area {}  截至 as of {}\n状态 status: {} {}  监测 monitoring: {}\n\n",
        h.household,
        h.area_code,
        h.as_of.map_or("现在 now".to_string(), |d| d.to_string()),
        h.status.zh(),
        h.status.code(),
        h.monitoring
            .map_or("-".to_string(), |m| format!("{} {}", m.zh(), m.code())),
    );
    let mut rows = vec![vec![
        "证件号码 ID".to_string(),
        "姓名 name".into(),
        "关系 relation".into(),
        "加入 joined".into(),
    ]];
    for m in &h.members {
        rows.push(vec![
            m.id_number.clone(),
            m.name.clone(),
            m.relation.zh().into(),
            m.joined_on.to_string(),
        ]);
    }
    out.push_str(&render(&rows));
    out.push('\n');
    let mut rows = vec![vec![
        "日期 date".to_string(),
        "事件 event".into(),
        "内容 detail".into(),
        "成员 member".into(),
        "原因 reason".into(),
        "操作人 actor".into(),
    ]];
    for e in &h.events {
        rows.push(vec![
            e.date.to_string(),
            e.kind.clone(),
            e.detail.clone().unwrap_or_default(),
            e.id_number.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            e.actor.clone(),
        ]);
    }
    out.push_str(&render(&rows));
    out
}

fn report_table(r: &ChangeReport) -> String {
    let area = if r.area.is_empty() {
        "全部 all"
    } else {
        &r.area
    };
    let mut out = format!(
        "动态管理 dynamic management {} — {}  区划 area {area}\n\n",
        r.from, r.to
    );
    let (h, p) = (&r.households, &r.people);
    let n = |v: u64| v.to_string();
    let rows = vec![
        vec!["".to_string(), "户 households".into(), "人 people".into()],
        vec!["新识别 identified".into(), n(h.identified), n(p.identified)],
        vec!["脱贫 exited".into(), n(h.exited), n(p.exited)],
        vec!["返贫 returned".into(), n(h.returned), n(p.returned)],
        vec!["清退 removed".into(), n(h.removed), n(p.removed)],
        vec![
            "自然增加 natural increase".into(),
            "".into(),
            n(p.natural_increase),
        ],
        vec![
            "自然减少 natural decrease".into(),
            "".into(),
            n(p.natural_decrease),
        ],
    ];
    out.push_str(&render(&rows));
    out.push_str(&format!("\n期末 end of period {}\n", r.to));
    let e = &r.end;
    let rows = vec![
        vec!["".to_string(), "户 households".into(), "人 people".into()],
        vec!["未脱贫 poor".into(), n(e.poor.households), n(e.poor.people)],
        vec![
            "已脱贫 exited".into(),
            n(e.exited.households),
            n(e.exited.people),
        ],
        vec![
            "返贫 returned".into(),
            n(e.returned.households),
            n(e.returned.people),
        ],
        vec![
            "清退 removed".into(),
            n(e.removed.households),
            n(e.removed.people),
        ],
    ];
    out.push_str(&render(&rows));
    out
}

/// The import's progress on a terminal: bytes of the file read, rows read and validated,
/// households written, the rate and the time left (by the bytes read), redrawn four times a
/// second from the counters the reader and the store update.
struct Progress {
    bar: indicatif::ProgressBar,
    stop: Arc<AtomicBool>,
    ticker: std::thread::JoinHandle<()>,
}

impl Progress {
    fn start(size: u64, read: Arc<ReadCounters>, written: Arc<AtomicU64>) -> Progress {
        let bar = indicatif::ProgressBar::new(size.max(1));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {percent:>3}% {msg} · {elapsed} 剩余 left {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let stop = Arc::new(AtomicBool::new(false));
        let (b, s) = (bar.clone(), stop.clone());
        let started = std::time::Instant::now();
        let ticker = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let rows = read.rows.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64().max(0.001);
                b.set_position(read.bytes.load(Ordering::Relaxed));
                b.set_message(format!(
                    "读取校验 read {rows} 行 rows · 写入 written {} 户 households · {:.0} 行/秒 rows/s",
                    written.load(Ordering::Relaxed),
                    rows as f64 / secs
                ));
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
        });
        Progress { bar, stop, ticker }
    }

    fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.ticker.join();
        self.bar.finish_and_clear();
    }
}
