//! The proposals' JSON API: thin handlers over [`super::service`].

use super::{service, Decision, NewProposal, ProposalList, ProposalQuery};
use crate::error::{ApiError, JsonBody};
use crate::session::{Session, WriteSession};
use crate::{AppState, Routes};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Json;
use fupin_store::directory::Proposal;
use std::sync::Arc;

type St = State<Arc<AppState>>;

pub fn register(r: Routes) -> Routes {
    r.api("/api/v1/proposals", &["get"], get(list))
        .api("/api/v1/proposals/{id}", &["get"], get(read))
        .api("/api/v1/proposals/{id}/decision", &["post"], post(decide))
        .api(
            "/api/v1/households/{number}/proposals",
            &["get", "post"],
            get(of_household).post(propose),
        )
}

/// 待决定与已决定的提议 / proposals of an area
#[utoipa::path(get, path = "/api/v1/proposals", operation_id = "listProposals",
    tag = "proposals", params(ProposalQuery),
    responses((status = 200, description = "OK", body = ProposalList)))]
pub async fn list(
    State(st): St,
    s: Session,
    Query(q): Query<ProposalQuery>,
) -> Result<Json<ProposalList>, ApiError> {
    let proposals = service::list(&st, &s, q.area.as_deref(), q.status.as_deref()).await?;
    Ok(Json(ProposalList { proposals }))
}

/// 一个提议 / a proposal
#[utoipa::path(get, path = "/api/v1/proposals/{id}", operation_id = "getProposal",
    tag = "proposals", params(("id" = String, Path, description = "提议编号 / proposal id")),
    responses((status = 200, description = "OK", body = Proposal)))]
pub async fn read(
    State(st): St,
    s: Session,
    Path(id): Path<String>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(service::read(&st, &s, &id).await?))
}

/// 县级决定(批准即执行,驳回须填理由)/ the county's decision (approval runs the action)
#[utoipa::path(post, path = "/api/v1/proposals/{id}/decision", operation_id = "decideProposal",
    tag = "proposals", params(("id" = String, Path, description = "提议编号 / proposal id")),
    request_body = Decision,
    responses((status = 200, description = "OK", body = Proposal)))]
pub async fn decide(
    State(st): St,
    s: WriteSession,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<Decision>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(service::decide(&st, &s, &id, &b).await?))
}

/// 一户的提议 / a household's proposals
#[utoipa::path(get, path = "/api/v1/households/{number}/proposals", operation_id = "listHouseholdProposals",
    tag = "proposals", params(("number" = String, Path, description = "户编号 / household number")),
    responses((status = 200, description = "OK", body = ProposalList)))]
pub async fn of_household(
    State(st): St,
    s: Session,
    Path(number): Path<String>,
) -> Result<Json<ProposalList>, ApiError> {
    let proposals = service::of_household(&st, &s, &number).await?;
    Ok(Json(ProposalList { proposals }))
}

/// 提议脱贫、返贫或清退(村、乡镇)/ propose an exit, return or removal
#[utoipa::path(post, path = "/api/v1/households/{number}/proposals", operation_id = "proposeAction",
    tag = "proposals", params(("number" = String, Path, description = "户编号 / household number")),
    request_body = NewProposal,
    responses((status = 201, description = "Created", body = Proposal)))]
pub async fn propose(
    State(st): St,
    s: WriteSession,
    Path(number): Path<String>,
    JsonBody(b): JsonBody<NewProposal>,
) -> Result<(StatusCode, Json<Proposal>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::propose(&st, &s, &number, &b).await?),
    ))
}
