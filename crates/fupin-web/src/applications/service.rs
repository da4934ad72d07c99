//! Identification applications: filing, reading and advancing them, scoped and authorised.

use super::{NewApplication, StepInput};
use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::session::Session;
use crate::AppState;
use axum::http::StatusCode;
use fupin_core::identification::{self, Exclusion, State as AppStep, Step};
use fupin_store::directory::{Application, StepRecord};
use serde_json::json;

/// Files an application after checking the applicant's ID number and the area.
pub async fn file(st: &AppState, s: &Session, b: &NewApplication) -> Result<Application, ApiError> {
    authz::check(&s.scope, Action::WriteApplications)?;
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    let mut fields = Vec::new();
    let area = text(&b.area_code);
    match fupin_core::AreaCode::parse(&area) {
        Ok(a) if a.level() == fupin_core::AreaLevel::Village => {}
        _ => fields.push(json!({"field": "area_code", "code": "area_code", "message": "应为12位村级区划代码 / a 12-digit village code"})),
    }
    let id = text(&b.applicant_id_number);
    if let Err(e) = fupin_core::ResidentId::parse(&id) {
        fields.push(json!({"field": "applicant_id_number", "code": e.code(), "message": format!("{} / {}", e.zh(), e.en())}));
    }
    let name = text(&b.applicant_name);
    if name.is_empty() {
        fields.push(json!({"field": "applicant_name", "code": "missing_field", "message": "请填写申请人 / the applicant is required"}));
    }
    let members = b
        .members
        .as_ref()
        .and_then(|m| m.0.trim().parse::<i64>().ok())
        .unwrap_or(0);
    if members < 1 {
        fields.push(json!({"field": "members", "code": "no_members", "message": "家庭人口至少1人 / at least one member"}));
    }
    if !fields.is_empty() {
        return Err(ApiError::invalid(
            "申请有误 / the application has invalid fields",
            fields,
        ));
    }
    authz::check(&s.scope, Action::FileApplication { area: &area })?;
    let app = Application {
        id: format!(
            "A{}{}",
            chrono::Utc::now().format("%Y%m%d%H%M%S"),
            &crate::auth::random_token()[..4]
        ),
        area_code: area,
        applicant_name: name,
        applicant_id_number: fupin_core::ResidentId::parse(&id)
            .expect("checked")
            .as_str()
            .to_string(),
        members,
        reason: text(&b.reason),
        step: Step::Application.code().to_string(),
        rejected: false,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        steps: Vec::new(),
    };
    st.dir.create_application(&app, &s.user).await?;
    st.dir
        .application(&app.id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The applications of an area the session may read (default: its own area): exactly those it
/// could open one by one ([`read`]; none for a cadre).
pub async fn list(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
) -> Result<Vec<Application>, ApiError> {
    let area = st.area_for(s, area)?;
    let all = st.dir.applications(&area).await?;
    Ok(all
        .into_iter()
        .filter(|a| authz::may(&s.scope, Action::ReadApplication { area: &a.area_code }))
        .collect())
}

/// Loads an application the session may read, else 404.
pub async fn read(st: &AppState, s: &Session, id: &str) -> Result<Application, ApiError> {
    let a = st
        .dir
        .application(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    authz::check(&s.scope, Action::ReadApplication { area: &a.area_code })?;
    Ok(a)
}

/// Records the next step of an application (`outcome`: `passed` or `rejected`).
pub async fn advance(
    st: &AppState,
    s: &Session,
    id: &str,
    b: &StepInput,
) -> Result<Application, ApiError> {
    authz::check(&s.scope, Action::WriteApplications)?;
    let a = read(st, s, id).await?;
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    let step = Step::parse(&text(&b.step))
        .ok_or_else(|| ApiError::bad_request("step", "未知步骤 / unknown step"))?;
    let area = a.area_code.as_str();
    authz::check(&s.scope, Action::RecordStep { area, step })?;
    let rejected = text(&b.outcome) == "rejected";
    let current = Step::parse(&a.step).unwrap_or(Step::Application);
    let state = if a.rejected {
        AppStep::Rejected(current)
    } else {
        AppStep::At(current)
    };
    let notice_days = a.steps.iter().find(|x| x.step == a.step).and_then(|x| {
        chrono::DateTime::parse_from_rfc3339(&x.at)
            .ok()
            .map(|at| (chrono::Utc::now() - at.with_timezone(&chrono::Utc)).num_days())
    });
    let exclusions: Vec<Exclusion> = b
        .exclusions
        .iter()
        .filter_map(|x| Exclusion::parse(x))
        .collect();
    let min_days = st
        .policies
        .for_area(&a.area_code)
        .count("public_notice_min_days")
        .map(|c| c.value as i64)
        .unwrap_or(5);
    let outcome = if rejected {
        identification::advance(state, step, notice_days, min_days, &[]).map(|_| "rejected")
    } else {
        identification::advance(state, step, notice_days, min_days, &exclusions).map(|_| "passed")
    };
    let (outcome, rejected, note) = match outcome {
        Ok(o) => (o, rejected, text(&b.note)),
        // Exclusions found at the county review reject the application, with the findings as note.
        Err(e @ identification::StepError::Excluded(_)) => ("rejected", true, e.to_string()),
        Err(e) => return Err(ApiError::new(StatusCode::CONFLICT, e.code(), e.to_string())),
    };
    // 建档立卡 registers the household first: a household refused leaves the step unrecorded.
    let mut note = note;
    if step == Step::Registered && !rejected {
        let h =
            crate::registry::service::register_application(st, s, &a, b.household.as_ref()).await?;
        let registered = format!("户 {} / household {}", h.number, h.number);
        note = if note.is_empty() {
            registered
        } else {
            format!("{note}; {registered}")
        };
    }
    let rec = StepRecord {
        step: step.code().to_string(),
        outcome: outcome.to_string(),
        actor: s.user.clone(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        note: Some(note).filter(|n| !n.is_empty()),
    };
    st.dir.record_step(id, &rec, rejected).await?;
    st.dir
        .application(id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The applications of a village in public notice (or about to be): only what a notice may show.
pub async fn notice(
    st: &AppState,
    s: &Session,
    code: &str,
) -> Result<(String, Vec<serde_json::Value>), ApiError> {
    let area = st.area_for(s, Some(code))?;
    if area.len() != 12 {
        return Err(ApiError::not_found());
    }
    let apps = st.dir.applications(&area).await?;
    let in_notice = apps.into_iter().filter(|a| {
        !a.rejected
            && Step::parse(&a.step).is_some_and(|x| {
                x.is_notice() || x == Step::VillageCheck || x == Step::TownshipReview
            })
    });
    // Only what a public notice may show (DOMAIN.md §5): the applicant's name, household size and
    // the stage; no ID number (not even masked), phone, bank account, health detail or free-text
    // reason.
    let rows = in_notice
        .map(|a| json!({"name": a.applicant_name, "members": a.members, "step": a.step}))
        .collect();
    Ok((area, rows))
}
