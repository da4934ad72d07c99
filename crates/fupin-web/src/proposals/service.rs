//! Proposals: made by village and township accounts, decided by the county; scoped and authorised
//! through [`crate::authz`], the rules are `fupin_core::proposal`.

use super::{Decision, NewProposal};
use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::registry::service::date_of;
use crate::session::Session;
use crate::AppState;
use axum::http::StatusCode;
use fupin_core::proposal::{self, Kind, ProposalError, Status};
use fupin_store::directory::Proposal;

fn refused(e: ProposalError) -> ApiError {
    let status = match e {
        ProposalError::ReasonRequired | ProposalError::RejectionReasonRequired => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => StatusCode::CONFLICT,
    };
    let mut err = ApiError::new(status, e.code(), e.to_string());
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        err.fields.push(
            serde_json::json!({"field": "reason", "code": e.code(), "message": e.to_string()}),
        );
    }
    err
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
}

/// Proposes an exit, return or removal of a household the session may read.
pub async fn propose(
    st: &AppState,
    s: &Session,
    number: &str,
    b: &NewProposal,
) -> Result<Proposal, ApiError> {
    let h = st.household_for(s, number, false).await?;
    let paired = st.paired(s, number).await?;
    let area = h.area_code.as_str();
    authz::check(&s.scope, Action::Propose { area, paired })?;
    let kind = Kind::parse(b.kind.as_deref().unwrap_or("")).ok_or_else(|| {
        ApiError::bad_request(
            "kind",
            "提议应为 exit、return 或 remove / kind must be exit, return or remove",
        )
    })?;
    let date = date_of(b.date.as_deref())?;
    let reason = text(&b.reason);
    let pending = st
        .dir
        .household_proposals(number)
        .await?
        .iter()
        .any(|p| p.status == Status::Pending.code());
    proposal::check_new(kind, h.status, reason.as_deref(), pending).map_err(refused)?;
    let p = Proposal {
        id: format!(
            "P{}{}",
            chrono::Utc::now().format("%Y%m%d%H%M%S"),
            &crate::auth::random_token()[..4]
        ),
        household: h.number.clone(),
        area_code: h.area_code.clone(),
        kind: kind.code().to_string(),
        date: date.to_string(),
        reason,
        proposer: s.user.clone(),
        proposed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        status: Status::Pending.code().to_string(),
        decided_by: None,
        decided_at: None,
        decision_note: None,
    };
    if !st.dir.create_proposal(&p).await? {
        return Err(refused(ProposalError::AlreadyPending));
    }
    Ok(p)
}

/// The proposals of an area the session may read (a cadre: of its paired households only).
pub async fn list(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
    status: Option<&str>,
) -> Result<Vec<Proposal>, ApiError> {
    let area = st.area_for(s, area)?;
    let status = status.map(str::trim).filter(|x| !x.is_empty());
    if let Some(x) = status.filter(|x| Status::parse(x).is_none()) {
        let msg = format!(
            "状态应为 pending、approved 或 rejected / status must be pending, approved or rejected: {x}"
        );
        return Err(ApiError::bad_request("status", msg));
    }
    let all = st.dir.proposals(&area, status).await?;
    if !authz::by_pairing(&s.scope) {
        return Ok(all);
    }
    let mut mine = Vec::new();
    for p in all {
        if st.paired(s, &p.household).await? {
            mine.push(p);
        }
    }
    Ok(mine)
}

/// The proposals of one household the session may read.
pub async fn of_household(
    st: &AppState,
    s: &Session,
    number: &str,
) -> Result<Vec<Proposal>, ApiError> {
    st.household_for(s, number, false).await?;
    Ok(st.dir.household_proposals(number).await?)
}

/// A proposal whose household the session may read, else 404.
pub async fn read(st: &AppState, s: &Session, id: &str) -> Result<Proposal, ApiError> {
    let p = st.dir.proposal(id).await?.ok_or_else(ApiError::not_found)?;
    let paired = st.paired(s, &p.household).await?;
    let area = p.area_code.as_str();
    authz::check(&s.scope, Action::ReadHousehold { area, paired })?;
    Ok(p)
}

/// The county's decision: approval runs the lifecycle action (its rules, event and audit) and then
/// marks the proposal approved; rejection needs a reason.
pub async fn decide(
    st: &AppState,
    s: &Session,
    id: &str,
    b: &Decision,
) -> Result<Proposal, ApiError> {
    let p = read(st, s, id).await?;
    authz::check(&s.scope, Action::DecideProposal { area: &p.area_code })?;
    let approve = match b.decision.as_deref().map(str::trim) {
        Some("approve") => true,
        Some("reject") => false,
        _ => {
            return Err(ApiError::bad_request(
                "decision",
                "决定应为 approve 或 reject / decision must be approve or reject",
            ))
        }
    };
    let note = text(&b.reason);
    let current = Status::parse(&p.status).unwrap_or(Status::Pending);
    let status = proposal::decide(current, approve, note.as_deref()).map_err(refused)?;
    if approve {
        let kind = Kind::parse(&p.kind).ok_or_else(ApiError::not_found)?;
        let h = st
            .repo
            .household(&p.household)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let date = date_of(Some(&p.date))?;
        let reason = note.clone().or_else(|| p.reason.clone());
        st.repo
            .transition(
                &p.household,
                h.version,
                kind.target(),
                date,
                reason.as_deref(),
                &s.user,
                &st.policies,
            )
            .await?;
    }
    let decided = st
        .dir
        .decide_proposal(id, status.code(), &s.user, note.as_deref())
        .await?;
    if !decided {
        return Err(refused(ProposalError::Decided(Status::Approved)));
    }
    st.dir.proposal(id).await?.ok_or_else(ApiError::not_found)
}
