//! The responsibility network's JSON API: thin handlers over [`super::service`].

use super::{
    service, BulkPairingEnd, BulkPairingIn, CadreIn, Coverage, EnterprisePairingIn, IssueClose,
    LetterIn, NetworkQuery, PairingEnd, PairingIn, Records, Saved, TeamIn, UnitIn, VisitIn,
};
use crate::error::{ApiError, JsonBody};
use crate::session::{Session, WriteSession};
use crate::{AppState, Routes};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Json;
use serde::Serialize;
use std::sync::Arc;

type St = State<Arc<AppState>>;
type Answer<T> = Result<Json<T>, ApiError>;
type Created = Result<(StatusCode, Json<Saved>), ApiError>;

pub fn register(r: Routes) -> Routes {
    r.api(
        "/api/v1/responsibility/units",
        &["get", "post"],
        get(units).post(save_unit),
    )
    .api(
        "/api/v1/responsibility/cadres",
        &["get", "post"],
        get(cadres).post(save_cadre),
    )
    .api(
        "/api/v1/responsibility/pairings",
        &["get", "post"],
        get(pairings).post(pair),
    )
    .api(
        "/api/v1/responsibility/pairings/end",
        &["post"],
        post(end_pairing),
    )
    .api(
        "/api/v1/responsibility/pairings/bulk",
        &["post"],
        post(pair_in_bulk),
    )
    .api(
        "/api/v1/responsibility/pairings/bulk-end",
        &["post"],
        post(end_in_bulk),
    )
    .api(
        "/api/v1/responsibility/teams",
        &["get", "post"],
        get(teams).post(save_team),
    )
    .api(
        "/api/v1/responsibility/enterprise-pairings",
        &["get", "post"],
        get(enterprise_pairings).post(save_enterprise_pairing),
    )
    .api(
        "/api/v1/responsibility/letters",
        &["get", "post"],
        get(letters).post(save_letter),
    )
    .api("/api/v1/responsibility/coverage", &["get"], get(coverage))
    .api("/api/v1/responsibility/visits", &["get"], get(visits))
    .api(
        "/api/v1/responsibility/my-households",
        &["get"],
        get(my_households),
    )
    .api(
        "/api/v1/households/{number}/visits",
        &["get", "post"],
        get(household_visits).post(record_visit),
    )
    .api(
        "/api/v1/households/{number}/visits/issues/{issue}/close",
        &["post"],
        post(close_issue),
    )
}

fn records<T: Serialize>(items: &[T]) -> Json<Records> {
    Json(Records {
        items: items
            .iter()
            .map(|x| serde_json::to_value(x).expect("json"))
            .collect(),
    })
}

fn created<T: Serialize>(x: &T) -> Created {
    Ok((
        StatusCode::CREATED,
        Json(Saved {
            record: serde_json::to_value(x).expect("json"),
        }),
    ))
}

/// 帮扶单位 / units of an area
#[utoipa::path(get, path = "/api/v1/responsibility/units", operation_id = "listUnits",
    tag = "responsibility", params(NetworkQuery),
    responses((status = 200, description = "OK", body = Records)))]
pub async fn units(State(st): St, s: Session, Query(q): Query<NetworkQuery>) -> Answer<Records> {
    Ok(records(&service::units(&st, &s, q.area.as_deref()).await?))
}

/// 新增或修改帮扶单位(县)/ create or replace a unit (the county)
#[utoipa::path(post, path = "/api/v1/responsibility/units", operation_id = "saveUnit",
    tag = "responsibility", request_body = UnitIn,
    responses((status = 201, description = "Created", body = Saved)))]
pub async fn save_unit(State(st): St, s: WriteSession, JsonBody(b): JsonBody<UnitIn>) -> Created {
    created(&service::save_unit(&st, &s, &b).await?)
}

/// 帮扶干部 / cadres of an area
#[utoipa::path(get, path = "/api/v1/responsibility/cadres", operation_id = "listCadres",
    tag = "responsibility", params(NetworkQuery),
    responses((status = 200, description = "OK", body = Records)))]
pub async fn cadres(State(st): St, s: Session, Query(q): Query<NetworkQuery>) -> Answer<Records> {
    Ok(records(&service::cadres(&st, &s, q.area.as_deref()).await?))
}

/// 新增或修改帮扶干部(县)/ create or replace a cadre (the county)
#[utoipa::path(post, path = "/api/v1/responsibility/cadres", operation_id = "saveCadre",
    tag = "responsibility", request_body = CadreIn,
    responses((status = 201, description = "Created", body = Saved)))]
pub async fn save_cadre(State(st): St, s: WriteSession, JsonBody(b): JsonBody<CadreIn>) -> Created {
    created(&service::save_cadre(&st, &s, &b).await?)
}

/// 结对帮扶 / pairings of the households of an area
#[utoipa::path(get, path = "/api/v1/responsibility/pairings", operation_id = "listPairings",
    tag = "responsibility", params(NetworkQuery),
    responses((status = 200, description = "OK", body = Records)))]
pub async fn pairings(State(st): St, s: Session, Query(q): Query<NetworkQuery>) -> Answer<Records> {
    Ok(records(
        &service::pairings(&st, &s, q.area.as_deref()).await?,
    ))
}

/// 干部与户结对(县)/ pair a cadre with a household (the county)
#[utoipa::path(post, path = "/api/v1/responsibility/pairings", operation_id = "pairCadre",
    tag = "responsibility", request_body = PairingIn,
    responses((status = 201, description = "Created", body = Saved)))]
pub async fn pair(State(st): St, s: WriteSession, JsonBody(b): JsonBody<PairingIn>) -> Created {
    created(&service::pair(&st, &s, &b).await?)
}

/// 批量结对(县):一名干部与多户,全部或全不 / pair one cadre with several households (the
/// county), all or nothing
#[utoipa::path(post, path = "/api/v1/responsibility/pairings/bulk", operation_id = "pairInBulk",
    tag = "responsibility", request_body = BulkPairingIn,
    responses((status = 201, description = "Created: the pairings (a household already paired, unknown or outside the area: 422 naming it, nothing written)", body = Records)))]
pub async fn pair_in_bulk(
    State(st): St,
    s: WriteSession,
    JsonBody(b): JsonBody<BulkPairingIn>,
) -> Result<(StatusCode, Json<Records>), ApiError> {
    let done = service::pair_in_bulk(&st, &s, &b).await?;
    Ok((StatusCode::CREATED, records(&done)))
}

/// 批量解除结对(县)/ end several pairings with one reason (the county), all or nothing
#[utoipa::path(post, path = "/api/v1/responsibility/pairings/bulk-end", operation_id = "endInBulk",
    tag = "responsibility", request_body = BulkPairingEnd,
    responses((status = 204, description = "Ended (a pair without an open pairing: 422 naming it, nothing written)")))]
pub async fn end_in_bulk(
    State(st): St,
    s: WriteSession,
    JsonBody(b): JsonBody<BulkPairingEnd>,
) -> Result<StatusCode, ApiError> {
    service::end_in_bulk(&st, &s, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 解除结对(县)/ end a pairing (the county)
#[utoipa::path(post, path = "/api/v1/responsibility/pairings/end", operation_id = "endPairing",
    tag = "responsibility", request_body = PairingEnd,
    responses((status = 204, description = "Ended")))]
pub async fn end_pairing(
    State(st): St,
    s: WriteSession,
    JsonBody(b): JsonBody<PairingEnd>,
) -> Result<StatusCode, ApiError> {
    service::end_pairing(&st, &s, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 驻村工作队 / work teams of the villages of an area
#[utoipa::path(get, path = "/api/v1/responsibility/teams", operation_id = "listTeams",
    tag = "responsibility", params(NetworkQuery),
    responses((status = 200, description = "OK", body = Records)))]
pub async fn teams(State(st): St, s: Session, Query(q): Query<NetworkQuery>) -> Answer<Records> {
    Ok(records(&service::teams(&st, &s, q.area.as_deref()).await?))
}

/// 新增或修改驻村工作队(县)/ create or replace a work team with its members (the county)
#[utoipa::path(post, path = "/api/v1/responsibility/teams", operation_id = "saveTeam",
    tag = "responsibility", request_body = TeamIn,
    responses((status = 201, description = "Created", body = Saved)))]
pub async fn save_team(State(st): St, s: WriteSession, JsonBody(b): JsonBody<TeamIn>) -> Created {
    created(&service::save_team(&st, &s, &b).await?)
}

/// 企业结对帮村 / enterprise–village pairings of an area
#[utoipa::path(get, path = "/api/v1/responsibility/enterprise-pairings", operation_id = "listEnterprisePairings",
    tag = "responsibility", params(NetworkQuery),
    responses((status = 200, description = "OK", body = Records)))]
pub async fn enterprise_pairings(
    State(st): St,
    s: Session,
    Query(q): Query<NetworkQuery>,
) -> Answer<Records> {
    Ok(records(
        &service::enterprise_pairings(&st, &s, q.area.as_deref()).await?,
    ))
}

/// 企业与村结对(县)/ pair an enterprise with a village (the county)
#[utoipa::path(post, path = "/api/v1/responsibility/enterprise-pairings", operation_id = "saveEnterprisePairing",
    tag = "responsibility", request_body = EnterprisePairingIn,
    responses((status = 201, description = "Created", body = Saved)))]
pub async fn save_enterprise_pairing(
    State(st): St,
    s: WriteSession,
    JsonBody(b): JsonBody<EnterprisePairingIn>,
) -> Created {
    created(&service::save_enterprise_pairing(&st, &s, &b).await?)
}

/// 责任书 / responsibility letters of an area
#[utoipa::path(get, path = "/api/v1/responsibility/letters", operation_id = "listLetters",
    tag = "responsibility", params(NetworkQuery),
    responses((status = 200, description = "OK", body = Records)))]
pub async fn letters(State(st): St, s: Session, Query(q): Query<NetworkQuery>) -> Answer<Records> {
    Ok(records(
        &service::letters(&st, &s, q.area.as_deref()).await?,
    ))
}

/// 新增或修改责任书(县)/ create or replace a responsibility letter (the county)
#[utoipa::path(post, path = "/api/v1/responsibility/letters", operation_id = "saveLetter",
    tag = "responsibility", request_body = LetterIn,
    responses((status = 201, description = "Created", body = Saved)))]
pub async fn save_letter(
    State(st): St,
    s: WriteSession,
    JsonBody(b): JsonBody<LetterIn>,
) -> Created {
    created(&service::save_letter(&st, &s, &b).await?)
}

/// 覆盖缺口 / the coverage gaps of an area at a date
#[utoipa::path(get, path = "/api/v1/responsibility/coverage", operation_id = "coverage",
    tag = "responsibility", params(NetworkQuery),
    responses((status = 200, description = "OK", body = Coverage)))]
pub async fn coverage(
    State(st): St,
    s: Session,
    Query(q): Query<NetworkQuery>,
) -> Answer<Coverage> {
    let (area, r) = service::coverage(&st, &s, q.area.as_deref(), q.as_of.as_deref()).await?;
    Ok(Json(Coverage {
        area,
        as_of: r.as_of.to_string(),
        policy: r.policy,
        gaps: r
            .gaps
            .iter()
            .map(|g| serde_json::to_value(g).expect("json"))
            .collect(),
        visits: serde_json::to_value(&r.visits).expect("json"),
    }))
}

/// 走访记录 / the visits of an area in a period
#[utoipa::path(get, path = "/api/v1/responsibility/visits", operation_id = "listVisits",
    tag = "responsibility", params(NetworkQuery),
    responses((status = 200, description = "OK", body = Records)))]
pub async fn visits(State(st): St, s: Session, Query(q): Query<NetworkQuery>) -> Answer<Records> {
    let v = service::visits(
        &st,
        &s,
        q.area.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    Ok(records(&v))
}

/// 我的帮扶户(帮扶干部)/ the households of the cadre linked to the account
#[utoipa::path(get, path = "/api/v1/responsibility/my-households", operation_id = "myHouseholds",
    tag = "responsibility",
    responses((status = 200, description = "OK", body = Records)))]
pub async fn my_households(State(st): St, s: Session) -> Answer<Records> {
    Ok(records(&service::my_households(&st, &s).await?))
}

/// 一户的走访 / a household's visits (a cadre: its own)
#[utoipa::path(get, path = "/api/v1/households/{number}/visits", operation_id = "listHouseholdVisits",
    tag = "responsibility", params(("number" = String, Path, description = "户编号 / household number")),
    responses((status = 200, description = "OK", body = Records)))]
pub async fn household_visits(
    State(st): St,
    s: Session,
    Path(number): Path<String>,
) -> Answer<Records> {
    Ok(records(&service::household_visits(&st, &s, &number).await?))
}

/// 记录走访 / record a visit to a household
#[utoipa::path(post, path = "/api/v1/households/{number}/visits", operation_id = "recordVisit",
    tag = "responsibility", params(("number" = String, Path, description = "户编号 / household number")),
    request_body = VisitIn,
    responses((status = 201, description = "Created", body = Saved)))]
pub async fn record_visit(
    State(st): St,
    s: WriteSession,
    Path(number): Path<String>,
    JsonBody(b): JsonBody<VisitIn>,
) -> Created {
    created(&service::record_visit(&st, &s, &number, &b).await?)
}

/// 问题整改完成 / close an issue of a visit with its measure
#[utoipa::path(post, path = "/api/v1/households/{number}/visits/issues/{issue}/close",
    operation_id = "closeIssue", tag = "responsibility",
    params(("number" = String, Path, description = "户编号 / household number"),
           ("issue" = String, Path, description = "问题编号 / issue id")),
    request_body = IssueClose,
    responses((status = 204, description = "Closed")))]
pub async fn close_issue(
    State(st): St,
    s: WriteSession,
    Path((number, issue)): Path<(String, String)>,
    JsonBody(b): JsonBody<IssueClose>,
) -> Result<StatusCode, ApiError> {
    service::close_issue(&st, &s, &number, &issue, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}
