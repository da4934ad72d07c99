//! The monitoring workflow's operations, scoped and authorised through [`crate::authz`]; the rules
//! are `fupin_core::monitoring`, the records `fupin_store::monitoring`.

use super::{
    CaseRow, CheckText, CompareResult, DismissBody, EliminationBody, EliminationResult,
    NewCaseBody, NewStepBody, Overview, Receipt, SelfReport, WHAT,
};
use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::registry::service::{date_of, today};
use crate::session::Session;
use crate::AppState;
use axum::http::StatusCode;
use fupin_core::codes::{CodeList, MonitoringCategory};
use fupin_core::monitoring::{self as rules, Outcome, Source, Step};
use fupin_core::ResidentId;
use fupin_store::monitoring::{Case, Elimination, NewCase, NewSignal, NewStep, Signal};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
}

fn invalid(field: &str, code: &str, message: &str) -> ApiError {
    let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
    e.fields
        .push(serde_json::json!({"field": field, "code": code, "message": message}));
    e
}

fn max_days(st: &AppState, area: &str) -> u32 {
    st.policies
        .for_area(area)
        .count("monitoring_decision_max_days")
        .map(|s| s.value)
        .unwrap_or(15)
}

/// A case with its timing today.
pub fn row_of(st: &AppState, c: Case) -> CaseRow {
    let timing = rules::case_timing(&c.input(), today(), max_days(st, &c.area_code));
    CaseRow { case: c, timing }
}

/// The monitoring of an area the session may read (not cadres: cases are the village's and up).
pub async fn overview(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
) -> Result<Overview, ApiError> {
    let area = st.area_for(s, area)?;
    authz::check(&s.scope, Action::ReadApplication { area: &area })?;
    let signals = st.dir.signals(&area, Some("new")).await?;
    let mut cases: Vec<CaseRow> = st
        .dir
        .cases(&area, None)
        .await?
        .into_iter()
        .map(|c| row_of(st, c))
        .collect();
    // Open cases first (overdue first, then the longest open), then the decided ones, newest first.
    cases.sort_by(|a, b| {
        let open = |r: &CaseRow| r.case.status == "open";
        (
            open(b),
            b.timing.overdue,
            b.timing.days_open,
            &b.case.signal_date,
            &a.case.id,
        )
            .cmp(&(
                open(a),
                a.timing.overdue,
                a.timing.days_open,
                &a.case.signal_date,
                &b.case.id,
            ))
    });
    Ok(Overview {
        area,
        signals,
        cases,
    })
}

/// A case whose village the session may read, else 404.
pub async fn read(st: &AppState, s: &Session, id: &str) -> Result<CaseRow, ApiError> {
    let c = st.dir.case(id).await?.ok_or_else(ApiError::not_found)?;
    authz::check(&s.scope, Action::ReadApplication { area: &c.area_code })?;
    Ok(row_of(st, c))
}

fn step_of(v: Option<&str>) -> Result<Step, ApiError> {
    v.and_then(Step::parse)
        .filter(|s| *s != Step::Signal)
        .ok_or_else(|| {
            invalid(
                "step",
                "step",
                "步骤应为 home_verification、village_appraisal、public_notice、township_review 或 county_decision / step must be one of home_verification, village_appraisal, public_notice, township_review, county_decision",
            )
        })
}

/// Records the next step of a case: the session's level must be the step's
/// (`fupin_core::monitoring::may_record`); the order and the decision's outcome are the store's
/// check (422 with the rule's code).
pub async fn record_step(
    st: &AppState,
    s: &Session,
    id: &str,
    b: &NewStepBody,
) -> Result<CaseRow, ApiError> {
    let c = read(st, s, id).await?.case;
    let step = step_of(b.step.as_deref())?;
    authz::check(
        &s.scope,
        Action::CaseStep {
            area: &c.area_code,
            step,
        },
    )?;
    let outcome = match text(&b.outcome) {
        None => None,
        Some(o) => Some(Outcome::parse(&o).ok_or_else(|| {
            invalid(
                "outcome",
                "decision_outcome",
                "结果应为 enrolled 或 rejected / outcome must be enrolled or rejected",
            )
        })?),
    };
    let category = match text(&b.category) {
        None => None,
        Some(x) => Some(MonitoringCategory::parse(&x).ok_or_else(|| {
            invalid(
                "category",
                "decision_category",
                "类别应为 unstable、marginal 或 sudden_hardship / category must be unstable, marginal or sudden_hardship",
            )
        })?),
    };
    let documents = b
        .documents
        .iter()
        .flat_map(|d| d.lines())
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .collect();
    let new = NewStep {
        step,
        date: date_of(b.date.as_deref())?,
        note: text(&b.note),
        documents,
        outcome,
        category,
        actor: s.user.clone(),
    };
    let c = st.dir.record_case_step(id, &new).await?;
    st.wrote();
    Ok(row_of(st, c))
}

/// Opens a case for a household after a cadre's visit (the village's `signal` step), unless it has
/// an open one (409 naming it).
pub async fn open_case(
    st: &AppState,
    s: &Session,
    number: &str,
    b: &NewCaseBody,
) -> Result<CaseRow, ApiError> {
    let h = st.household_for(s, number, false).await?;
    authz::check(
        &s.scope,
        Action::CaseStep {
            area: &h.area_code,
            step: Step::Signal,
        },
    )?;
    let new = NewCase {
        household: h.number.clone(),
        source: Source::Visit,
        signal_date: date_of(b.date.as_deref())?,
        signal_id: None,
        detail: text(&b.detail),
        actor: s.user.clone(),
    };
    opened(st, s, &new).await
}

async fn opened(st: &AppState, s: &Session, new: &NewCase) -> Result<CaseRow, ApiError> {
    let (id, fresh) = st.dir.open_case(new).await?;
    if !fresh {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "case_open",
            format!("该户已有未确定的案件 {id} / the household has an open case {id}"),
        ));
    }
    st.wrote();
    read(st, s, &id).await
}

/// Opens a case from a signal of a registered household (the village verifies it at home).
pub async fn case_from_signal(st: &AppState, s: &Session, id: &str) -> Result<CaseRow, ApiError> {
    let sig = st.dir.signal(id).await?.ok_or_else(ApiError::not_found)?;
    authz::check(
        &s.scope,
        Action::CaseStep {
            area: &sig.area_code,
            step: Step::Signal,
        },
    )?;
    let Some(household) = sig.household.clone() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "unregistered",
            "申报人不在建档立卡库中:请入户走访,按识别程序办理 / the reporter is not in the registry: visit, and file an identification application",
        ));
    };
    let source = Source::parse(&sig.source).unwrap_or(Source::SelfReport);
    let new = NewCase {
        household,
        source,
        signal_date: chrono::NaiveDate::parse_from_str(&sig.reported_on, "%Y-%m-%d")
            .unwrap_or_else(|_| today()),
        signal_id: Some(sig.id.clone()),
        detail: Some(
            [Some(sig.what.clone()), sig.amount.clone(), sig.note.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        actor: s.user.clone(),
    };
    opened(st, s, &new).await
}

/// Dismisses a signal waiting to be verified, with its reason (required; 422 `reason_required`),
/// by the village, township or county of its area; audited. 409 `signal_closed` when it is no
/// longer waiting. The household may still get a case later.
pub async fn dismiss_signal(
    st: &AppState,
    s: &Session,
    id: &str,
    b: &DismissBody,
) -> Result<Signal, ApiError> {
    let sig = st.dir.signal(id).await?.ok_or_else(ApiError::not_found)?;
    authz::check(
        &s.scope,
        Action::DismissSignal {
            area: &sig.area_code,
        },
    )?;
    let Some(reason) = text(&b.reason) else {
        return Err(invalid(
            "reason",
            "reason_required",
            "排除信号必须填写原因 / a dismissal needs a reason",
        ));
    };
    let date = date_of(b.date.as_deref())?;
    match st.dir.dismiss_signal(id, &reason, date, &s.user).await {
        Ok(sig) => {
            st.wrote();
            Ok(sig)
        }
        Err(e) if e.code() == "signal_closed" => Err(ApiError::new(
            StatusCode::CONFLICT,
            "signal_closed",
            e.to_string(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// A department file compared with the registry of the session's area: alerts about households of
/// other areas are left out; unless `dry_run`, each `risk_signal` opens a case (county accounts).
pub async fn compare(
    st: &AppState,
    s: &Session,
    name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> Result<CompareResult, ApiError> {
    let area = s.scope.area.clone();
    authz::check(&s.scope, Action::CountyMonitoring { area: &area })?;
    let format = match name
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => fupin_sheet::Format::Csv,
        Some("xlsx") => fupin_sheet::Format::Xlsx,
        _ => {
            return Err(ApiError::bad_request(
                "file",
                "部门数据应为 CSV 或 XLSX / a department file is CSV or XLSX",
            ))
        }
    };
    let file = fupin_sheet::monitoring::read_department_bytes(name, format, bytes)
        .map_err(|e| ApiError::bad_request("file", e.to_string()))?;
    let min = st
        .policies
        .for_area(&area)
        .amount("department_alert_min_amount")
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "policy", e.to_string()))?
        .value;
    let mut alerts = fupin_store::monitoring::compare_with_registry(
        st.dir.as_ref(),
        &file.checked,
        min,
        today(),
        false,
        &s.user,
    )
    .await?;
    let mut areas: HashMap<String, Option<String>> = HashMap::new();
    for a in &alerts {
        if let Some(h) = &a.household {
            if !areas.contains_key(h) {
                let area = st.repo.household(h).await?.map(|r| r.area_code);
                areas.insert(h.clone(), area);
            }
        }
    }
    alerts.retain(|a| match &a.household {
        None => true,
        Some(h) => areas
            .get(h)
            .and_then(|x| x.as_deref())
            .is_some_and(|code| s.scope.covers(code)),
    });
    if !dry_run {
        for a in alerts
            .iter_mut()
            .filter(|a| a.code == rules::AlertCode::RiskSignal)
        {
            let household = a.household.clone().expect("registered");
            let detail = format!(
                "{} {}{} {}",
                a.item.code(),
                a.item.zh(),
                a.amount
                    .map(|x| format!(" {}", fupin_core::money::fmt2(x)))
                    .unwrap_or_default(),
                a.department
            );
            let (id, fresh) = st
                .dir
                .open_case(&NewCase {
                    household,
                    source: Source::Department,
                    signal_date: today(),
                    signal_id: None,
                    detail: Some(detail.trim().to_string()),
                    actor: s.user.clone(),
                })
                .await?;
            a.case = Some(fresh.then_some(id));
        }
        st.wrote();
    }
    Ok(CompareResult {
        rows: file.rows,
        alerts,
        errors: file.errors,
    })
}

/// Judges a risk elimination of a household (its failed checks in words) and, when asked and
/// eligible, records it (county accounts): the category becomes `risk_eliminated`.
pub async fn eliminate(
    st: &AppState,
    s: &Session,
    number: &str,
    b: &EliminationBody,
) -> Result<EliminationResult, ApiError> {
    let h = st.household_for(s, number, false).await?;
    authz::check(&s.scope, Action::CountyMonitoring { area: &h.area_code })?;
    let months = b.months_above_line.ok_or_else(|| {
        invalid(
            "months_above_line",
            "missing_field",
            "请填写收入稳定超过监测线的月数 / months_above_line is required",
        )
    })?;
    let resolved = b.rigid_expense_resolved.unwrap_or(false);
    let date = date_of(b.date.as_deref())?;
    let policy = st.policies.for_area(&h.area_code);
    let ages = policy
        .compulsory_school_age()
        .map(|a| a.value)
        .unwrap_or((6, 15));
    let min_months = policy
        .count("risk_elimination_min_months")
        .map(|s| s.value)
        .unwrap_or(6);
    let core = h.to_core().ok_or_else(ApiError::not_found)?;
    let evidence = rules::EliminationEvidence {
        months_above_line: months,
        rigid_expense_resolved: resolved,
        social_security: b.social_security,
    };
    let failed = rules::risk_elimination(&core, &evidence, ages, date, min_months);
    let eligible = failed.is_empty();
    if b.record {
        st.dir
            .record_elimination(&Elimination {
                household: h.number.clone(),
                case_id: text(&b.case),
                decided_on: date.to_string(),
                months_above_line: i64::from(months),
                rigid_expense_resolved: resolved,
                social_security: b.social_security,
                failed: failed.iter().map(|c| c.code().to_string()).collect(),
                eliminated: eligible,
                note: text(&b.note),
                actor: s.user.clone(),
            })
            .await?;
        st.wrote();
    }
    Ok(EliminationResult {
        household: h.number,
        eligible,
        failed: failed
            .iter()
            .map(|c| CheckText {
                code: c.code().into(),
                zh: c.zh().into(),
                en: c.en().into(),
            })
            .collect(),
        recorded: b.record,
    })
}

/// Self-reports per address: at most this many an hour.
pub const REPORTS_PER_ADDRESS_HOUR: usize = 5;
/// Self-reports per ID number: at most this many a day.
pub const REPORTS_PER_ID_DAY: u64 = 3;

/// The recent self-reports of each address (in memory: a restart forgets them).
fn recent() -> &'static Mutex<HashMap<String, Vec<Instant>>> {
    static RECENT: std::sync::OnceLock<Mutex<HashMap<String, Vec<Instant>>>> =
        std::sync::OnceLock::new();
    RECENT.get_or_init(Default::default)
}

fn too_many() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_reports",
        "申报次数过多,请稍后再试,或直接联系村干部 / too many reports: try again later, or call the village cadres",
    )
}

/// A self-report from the public page: checked field by field (an ID number failing its check is
/// refused with a clear message), rate-limited per address and per ID number, recorded as a signal
/// of its village. The answer is a receipt number only: nothing of the registry is shown.
pub async fn self_report(st: &AppState, addr: &str, b: &SelfReport) -> Result<Receipt, ApiError> {
    // Every attempt counts against its address, refused ones too (no probing of ID numbers). The
    // server always knows the peer; a request without one (an in-process test) is not limited here.
    if addr != "unknown" {
        let mut recent = recent().lock().expect("recent");
        let hour = Duration::from_secs(3600);
        let list = recent.entry(addr.to_string()).or_default();
        list.retain(|t| t.elapsed() < hour);
        if list.len() >= REPORTS_PER_ADDRESS_HOUR {
            return Err(too_many());
        }
        list.push(Instant::now());
    }
    let mut e = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        "请检查标红的内容 / please check the fields marked",
    );
    let mut field = |f: &str, code: &str, message: String| {
        e.fields
            .push(serde_json::json!({"field": f, "code": code, "message": message}));
    };
    let name = text(&b.name).unwrap_or_default();
    if name.is_empty() || name.chars().count() > 50 || name.chars().any(char::is_control) {
        field(
            "name",
            "name",
            "请填写姓名(最多50字)/ enter your name (at most 50 characters)".into(),
        );
    }
    let id_text = text(&b.id_number).unwrap_or_default().to_ascii_uppercase();
    let id = match ResidentId::parse(&id_text) {
        Ok(id) => Some(id),
        Err(x) => {
            field(
                "id_number",
                x.code(),
                format!(
                    "身份证号码有误:{},请核对后重新填写 / the ID number is wrong: {}; please check it",
                    x.zh(),
                    x.en()
                ),
            );
            None
        }
    };
    let phone = text(&b.phone).unwrap_or_default();
    let phone_ok =
        phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|c| c.is_ascii_digit());
    if !phone_ok {
        field(
            "phone",
            "phone",
            "请填写11位手机号码 / enter an 11-digit mobile number".into(),
        );
    }
    let village = text(&b.village).unwrap_or_default();
    let known = village.len() == 12
        && st
            .dir
            .area(&village)
            .await?
            .is_some_and(|a| a.level == fupin_core::AreaLevel::Village);
    if !known {
        field(
            "village",
            "village",
            "请选择所在村 / choose your village".into(),
        );
    }
    let what = text(&b.what).unwrap_or_default();
    if !WHAT.iter().any(|(c, _, _)| *c == what) {
        field(
            "what",
            "what",
            "请选择遇到的困难 / choose what happened".into(),
        );
    }
    let amount = match text(&b.amount) {
        None => None,
        Some(a) => match fupin_core::money::parse_money(&a) {
            Ok(d) => Some(d),
            Err(x) => {
                field("amount", x.code(), format!("{} / {}", x.zh(), x.en()));
                None
            }
        },
    };
    let note = text(&b.note).map(|n| n.chars().take(500).collect::<String>());
    if !e.fields.is_empty() {
        return Err(e);
    }
    let id = id.expect("checked");
    let day = today();
    if st.dir.signals_since(id.as_str(), day).await? >= REPORTS_PER_ID_DAY {
        return Err(too_many());
    }
    let signal = st
        .dir
        .add_signal(&NewSignal {
            area_code: village,
            source: Source::SelfReport,
            reported_on: day,
            name,
            id_number: id.as_str().to_string(),
            phone: Some(phone),
            what,
            amount,
            note,
            actor: "self_report".into(),
        })
        .await?;
    st.wrote();
    Ok(Receipt { receipt: signal.id })
}
