//! The monitoring workflow (防返贫监测, DOMAIN.md §13; docs/monitoring.md): `fupin compare` (a
//! department's data against a file of households or the registry) and `fupin monitoring cases`
//! (the timing of cases and the risk elimination of enrolments, pure over a file or over the
//! registry).

use crate::error::{CliError, Result};
use crate::options::{parse_date, runtime, Format, Global};
use crate::table;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use fupin_core::codes::{CodeList, MonitoringCategory};
use fupin_core::error::RowError;
use fupin_core::model::Household;
use fupin_core::monitoring::{
    self, case_timing, compare, Alert, CaseInput, CaseTiming, EliminationEvidence, Registered,
};
use fupin_core::{input, PolicySet};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct CompareArgs {
    /// 部门数据文件(CSV 或 XLSX)/ the department's file (CSV or XLSX)
    #[arg(long)]
    department: PathBuf,
    /// 户文件(fupin assess 的 JSON);不给则比对数据库(--db)/ households (the JSON of fupin assess); without it, the registry (--db)
    #[arg(long)]
    input: Option<PathBuf>,
    /// 比对日期(新开案件的信号日期)/ the comparison's date (the signal date of the cases it opens)
    #[arg(long, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// 只列出预警,不开案件 / list the alerts only, open no case
    #[arg(long)]
    dry_run: bool,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

#[derive(Subcommand)]
pub enum MonitoringCommand {
    /// 监测案件:办理天数、超期、风险消除 / cases: days open, overdue, risk elimination
    Cases(CasesArgs),
}

#[derive(Args)]
pub struct CasesArgs {
    /// 案件文件(JSON);不给则读数据库(--db)/ the cases (JSON); without it, the registry (--db)
    #[arg(long)]
    input: Option<PathBuf>,
    /// 数据库中的区划前缀 / the area prefix in the registry (with --db)
    #[arg(long, conflicts_with = "input")]
    area: Option<String>,
    #[arg(long, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

/// One bad row of the department file, as the output lists it.
#[derive(Debug, Serialize)]
pub struct ErrorOut {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub code: String,
    pub message: String,
}

impl From<RowError> for ErrorOut {
    fn from(e: RowError) -> ErrorOut {
        ErrorOut {
            row: e.row,
            column: e.column,
            value: e.value,
            code: e.code,
            message: format!("{} / {}", e.zh, e.en),
        }
    }
}

#[derive(Serialize)]
struct CompareOut {
    as_of: NaiveDate,
    rows: usize,
    alerts: Vec<Alert>,
    errors: Vec<ErrorOut>,
}

/// Today in China (the registry's dates are China's).
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn read_json_file(path: &Path) -> Result<Value> {
    let max = input::limits::MAX_JSON_BYTES;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > max {
        return Err(CliError::Usage(format!(
            "输入文件过大,上限 {max} 字节 / {} is too large: the limit is {max} bytes",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::Usage(format!(
            "无法读取输入 / cannot read input {}: {e}",
            path.display()
        ))
    })?;
    input::parse_json(&text).map_err(|e| {
        CliError::Usage(format!(
            "输入不是有效的 JSON / {} is not valid JSON: line {} column {}: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

fn file_date(v: &Value, path: &Path) -> Result<Option<NaiveDate>> {
    match v.get("as_of") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_date(s)
            .map(Some)
            .map_err(|e| CliError::Usage(format!("{}: as_of: {e}", path.display()))),
        Some(_) => Err(CliError::Usage(format!(
            "{}: as_of 应为日期 YYYY-MM-DD / as_of is a date YYYY-MM-DD",
            path.display()
        ))),
    }
}

/// The households of a JSON file, each checked by the core's one validator; any bad household
/// makes the file unusable (exit 2), every error listed.
fn households(v: &Value, path: &Path, as_of: NaiveDate) -> Result<Vec<(Household, Value)>> {
    let list = match v.get("households") {
        Some(Value::Array(l)) => l,
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(_) => {
            return Err(CliError::Usage(format!(
                "{}: households 应为列表 / households is a list",
                path.display()
            )))
        }
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, h) in list.iter().enumerate() {
        match input::parse_household(h, i, as_of) {
            Ok(core) => out.push((core, h.clone())),
            Err(e) => errors.extend(e.into_iter().map(|e| {
                format!(
                    "  {} {}{}: [{}] {}",
                    e.household.as_deref().unwrap_or("-"),
                    e.member.map(|m| format!("member {m} ")).unwrap_or_default(),
                    e.field,
                    e.code,
                    e.message
                )
            })),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(CliError::Usage(format!(
            "{}: 户数据有误 / invalid households:\n{}",
            path.display(),
            errors.join("\n")
        )))
    }
}

/// Current members of a file's households by ID number, with the household's status and stored
/// monitoring category (`monitoring`).
fn registry_of(list: &[(Household, Value)]) -> HashMap<String, Registered> {
    let mut map = HashMap::new();
    for (h, v) in list {
        let monitoring = v
            .get("monitoring")
            .and_then(Value::as_str)
            .and_then(MonitoringCategory::parse);
        for m in &h.members {
            map.insert(
                m.id_number.as_str().to_string(),
                Registered {
                    household: h.id.clone(),
                    status: h.status,
                    monitoring,
                },
            );
        }
    }
    map
}

pub fn compare_run(args: CompareArgs, g: &Global) -> Result {
    let policies = g.policies()?;
    let file = fupin_sheet::monitoring::read_department(&args.department)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let min = policies
        .for_area("")
        .amount("department_alert_min_amount")
        .map_err(|e| CliError::Usage(e.to_string()))?
        .value;
    let (as_of, alerts) = match &args.input {
        Some(path) => {
            let v = read_json_file(path)?;
            let as_of = args.as_of.or(file_date(&v, path)?).unwrap_or_else(today);
            let list = households(&v, path, as_of)?;
            (as_of, compare(&file.checked, &registry_of(&list), min))
        }
        None => {
            let as_of = args.as_of.unwrap_or_else(today);
            let url = g.db_url();
            let rt = runtime()?;
            let alerts = rt.block_on(async {
                let store = fupin_store::SqlStore::open(&url).await?;
                fupin_store::monitoring::compare_with_registry(
                    &store,
                    &file.checked,
                    min,
                    as_of,
                    !args.dry_run,
                    "fupin compare",
                )
                .await
            })?;
            (as_of, alerts)
        }
    };
    let bad = file.errors.len();
    let out = CompareOut {
        as_of,
        rows: file.rows,
        alerts,
        errors: file.errors.into_iter().map(ErrorOut::from).collect(),
    };
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&out).expect("json")),
        Format::Table => out!("{}", render_compare(&out)),
    }
    if bad == 0 {
        Ok(())
    } else {
        Err(CliError::Rejected(format!(
            "{bad} 处错误,见 errors / {bad} errors, see `errors`"
        )))
    }
}

fn render_compare(o: &CompareOut) -> String {
    let mut s = format!(
        "比对日期 As of: {}   行数 Rows: {}   预警 Alerts: {}\n\n",
        o.as_of,
        o.rows,
        o.alerts.len()
    );
    let mut rows = vec![[
        "预警 Alert",
        "行 Row",
        "证件号码 ID number",
        "户 Household",
        "事项 Item",
        "金额 Amount",
        "部门 Department",
        "案件 Case",
    ]
    .map(String::from)
    .to_vec()];
    for a in &o.alerts {
        rows.push(vec![
            format!("{} {}", a.code, a.code.zh()),
            a.row.to_string(),
            a.id_number.clone(),
            a.household.clone().unwrap_or_else(|| "-".into()),
            format!("{} {}", a.item, a.item.zh()),
            a.amount.map(fupin_core::money::fmt2).unwrap_or_default(),
            a.department.clone(),
            a.case.clone().flatten().unwrap_or_default(),
        ]);
    }
    s.push_str(&table::render(&rows));
    if !o.errors.is_empty() {
        s.push_str("\n错误 Errors\n");
        for e in &o.errors {
            s.push_str(&format!(
                "  第{}行 row {}, {} = {:?}: [{}] {}\n",
                e.row, e.row, e.column, e.value, e.code, e.message
            ));
        }
    }
    s
}

/// A problem with one case or enrolment of the input.
#[derive(Debug, Serialize)]
pub struct InputError {
    /// `cases` or `enrolments`, and the 1-based position.
    pub place: String,
    pub index: usize,
    pub code: String,
    pub message: String,
}

/// An enrolment and its risk elimination.
#[derive(Debug, Serialize)]
pub struct EnrolmentOut {
    pub household: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<MonitoringCategory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    pub risk_elimination: Elimination,
}

#[derive(Debug, Serialize)]
pub struct Elimination {
    pub eligible: bool,
    pub failed: Vec<&'static str>,
}

#[derive(Serialize)]
pub struct CasesOut {
    pub as_of: NaiveDate,
    pub policy: String,
    pub cases: Vec<CaseTiming>,
    pub enrolments: Vec<EnrolmentOut>,
    pub errors: Vec<InputError>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrolmentIn {
    household: String,
    #[serde(default)]
    category: Option<MonitoringCategory>,
    #[serde(default)]
    date: Option<NaiveDate>,
    months_above_line: u32,
    rigid_expense_resolved: bool,
    #[serde(default)]
    social_security: Option<bool>,
}

/// `fupin monitoring cases` over a file: the pure half.
pub fn cases_of(
    v: &Value,
    path: &Path,
    as_of: Option<NaiveDate>,
    p: &PolicySet,
) -> Result<CasesOut> {
    let as_of = as_of.or(file_date(v, path)?).unwrap_or_else(today);
    let list = households(v, path, as_of)?;
    let by_id: HashMap<&str, &Household> = list.iter().map(|(h, _)| (h.id.as_str(), h)).collect();
    let mut errors = Vec::new();
    let area = |household: &str| by_id.get(household).map_or("", |h| h.area.as_str());
    let count = |key: &str, household: &str| {
        p.for_area(area(household))
            .count(key)
            .map(|s| s.value)
            .map_err(|e| CliError::Usage(e.to_string()))
    };
    let array = |key: &str| match v.get(key) {
        Some(Value::Array(l)) => Ok(l.clone()),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(_) => Err(CliError::Usage(format!(
            "{}: {key} 应为列表 / {key} is a list",
            path.display()
        ))),
    };
    let mut cases = Vec::new();
    for (i, c) in array("cases")?.into_iter().enumerate() {
        match serde_json::from_value::<CaseInput>(c) {
            Ok(c) => {
                let max = count("monitoring_decision_max_days", &c.household)?;
                cases.push(case_timing(&c, as_of, max));
            }
            Err(e) => errors.push(InputError {
                place: "cases".into(),
                index: i + 1,
                code: "invalid_case".into(),
                message: e.to_string(),
            }),
        }
    }
    // The county sees overdue cases first, then the longest open.
    cases.sort_by(|a, b| (b.overdue, b.days_open, &a.id).cmp(&(a.overdue, a.days_open, &b.id)));
    let mut enrolments = Vec::new();
    for (i, e) in array("enrolments")?.into_iter().enumerate() {
        let err = |code: &str, message: String| InputError {
            place: "enrolments".into(),
            index: i + 1,
            code: code.into(),
            message,
        };
        let e = match serde_json::from_value::<EnrolmentIn>(e) {
            Ok(e) => e,
            Err(x) => {
                errors.push(err("invalid_enrolment", x.to_string()));
                continue;
            }
        };
        let Some(h) = by_id.get(e.household.as_str()) else {
            errors.push(err(
                "unknown_household",
                format!(
                    "households 中没有户 {0} / household {0} is not in `households`",
                    e.household
                ),
            ));
            continue;
        };
        let pol = p.for_area(h.area.as_str());
        let ages = pol
            .compulsory_school_age()
            .map_err(|x| CliError::Usage(x.to_string()))?
            .value;
        let min_months = count("risk_elimination_min_months", &e.household)?;
        let failed = monitoring::risk_elimination(
            h,
            &EliminationEvidence {
                months_above_line: e.months_above_line,
                rigid_expense_resolved: e.rigid_expense_resolved,
                social_security: e.social_security,
            },
            ages,
            as_of,
            min_months,
        );
        enrolments.push(EnrolmentOut {
            household: e.household,
            category: e.category,
            date: e.date,
            risk_elimination: Elimination {
                eligible: failed.is_empty(),
                failed: failed.iter().map(|c| c.code()).collect(),
            },
        });
    }
    Ok(CasesOut {
        as_of,
        policy: p.name().to_string(),
        cases,
        enrolments,
        errors,
    })
}

pub fn run(c: MonitoringCommand, g: &Global) -> Result {
    let MonitoringCommand::Cases(args) = c;
    let policies = g.policies()?;
    let out = match &args.input {
        Some(path) => {
            let v = read_json_file(path)?;
            cases_of(&v, path, args.as_of, &policies)?
        }
        None => {
            let as_of = args.as_of.unwrap_or_else(today);
            let url = g.db_url();
            let area = args.area.clone().unwrap_or_default();
            let rt = runtime()?;
            let cases = rt.block_on(async {
                let store = fupin_store::SqlStore::open(&url).await?;
                fupin_store::monitoring::case_timings(&store, &area, as_of, &policies).await
            })?;
            CasesOut {
                as_of,
                policy: policies.name().to_string(),
                cases,
                enrolments: Vec::new(),
                errors: Vec::new(),
            }
        }
    };
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&out).expect("json")),
        Format::Table => out!("{}", render_cases(&out)),
    }
    let bad = out.errors.len() + out.cases.iter().filter(|c| !c.errors.is_empty()).count();
    if bad == 0 {
        Ok(())
    } else {
        Err(CliError::Rejected(format!(
            "{bad} 处错误,见 errors / {bad} errors, see `errors`"
        )))
    }
}

fn render_cases(o: &CasesOut) -> String {
    let yes = |b: bool| if b { "是 yes" } else { "" }.to_string();
    let mut s = format!("日期 As of: {}   政策 Policy: {}\n\n", o.as_of, o.policy);
    let mut rows = vec![[
        "案件 Case",
        "户 Household",
        "来源 Source",
        "信号 Signal",
        "当前步骤 Step",
        "天数 Days",
        "期限 Deadline",
        "超期 Overdue",
        "逾期确定 Late",
        "错误 Errors",
    ]
    .map(String::from)
    .to_vec()];
    for c in &o.cases {
        rows.push(vec![
            c.id.clone(),
            c.household.clone(),
            c.source.zh().to_string(),
            c.signal_date.to_string(),
            c.step.zh().to_string(),
            c.days_open.to_string(),
            c.deadline.to_string(),
            yes(c.overdue),
            yes(c.decided_late),
            c.errors
                .iter()
                .map(|e| e.code)
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    s.push_str(&table::render(&rows));
    if !o.enrolments.is_empty() {
        s.push_str("\n风险消除 Risk elimination\n");
        for e in &o.enrolments {
            let failed = e
                .risk_elimination
                .failed
                .iter()
                .filter_map(|c| fupin_core::codes::Check::parse(c))
                .map(|c| format!("{} {}", c.code(), c.zh()))
                .collect::<Vec<_>>();
            s.push_str(&format!(
                "  {}: {}\n",
                e.household,
                if failed.is_empty() {
                    "可以标注风险消除 / may be marked eliminated".to_string()
                } else {
                    failed.join("; ")
                }
            ));
        }
    }
    for e in &o.errors {
        s.push_str(&format!(
            "  {} #{}: [{}] {}\n",
            e.place, e.index, e.code, e.message
        ));
    }
    s
}

/// New monitoring enrolments of `fupin report changes`' period (cases decided `enrolled`).
pub async fn enrolments(
    g: &Global,
    a: &crate::cmd::report::PeriodArgs,
) -> Result<fupin_store::monitoring::Enrolments> {
    let store = fupin_store::SqlStore::open(&g.db_url()).await?;
    Ok(store.enrolments(a.from, a.to, &a.area).await?)
}

/// The change report with its `monitoring_enrolled` (households and people by category).
pub fn with_enrolments(
    r: &fupin_store::ChangeReport,
    e: &fupin_store::monitoring::Enrolments,
) -> Value {
    let mut v = serde_json::to_value(r).expect("serializable");
    v["monitoring_enrolled"] = serde_json::to_value(e).expect("serializable");
    v
}

/// The enrolments as lines under the change report's table.
pub fn enrolments_table(e: &fupin_store::monitoring::Enrolments) -> String {
    let mut s = String::from("\n新纳入监测 New monitoring enrolments (经县级确定 decided cases)\n");
    for (c, x) in [
        (MonitoringCategory::Unstable, &e.unstable),
        (MonitoringCategory::Marginal, &e.marginal),
        (MonitoringCategory::SuddenHardship, &e.sudden_hardship),
    ] {
        s.push_str(&format!(
            "  {} {}: {} 户 households, {} 人 people\n",
            c.zh(),
            c.code(),
            x.households,
            x.people
        ));
    }
    s
}

/// `fupin demo --department-file FILE`: a department file of the written registry with alerts of
/// every code.
pub async fn demo_department_file(
    path: &Option<PathBuf>,
    repo: &std::sync::Arc<dyn fupin_store::Repository>,
    dir: &std::sync::Arc<dyn fupin_store::directory::Directory>,
) -> std::result::Result<(), String> {
    let Some(path) = path else { return Ok(()) };
    let n = fupin_demo::monitoring::write_department_file(repo.as_ref(), dir.as_ref(), "", path)
        .await?;
    eprintln!(
        "部门数据 / department file: {} ({n} 行 rows)",
        path.display()
    );
    Ok(())
}
