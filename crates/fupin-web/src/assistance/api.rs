//! Household assistance's JSON API: thin handlers over [`super::service`].

use super::{
    service, GapQuery, GapReport, HouseholdAssistance, MeasureQuery, MeasureReport, NewMeasure,
    NewPlan,
};
use crate::error::{ApiError, JsonBody};
use crate::session::{Session, WriteSession};
use crate::{AppState, Routes};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::Json;
use fupin_core::assistance::Plan;
use fupin_store::assistance::StoredMeasure;
use serde::Deserialize;
use std::sync::Arc;

type St = State<Arc<AppState>>;

pub fn register(r: Routes) -> Routes {
    r.api(
        "/api/v1/households/{number}/assistance",
        &["get"],
        get(household),
    )
    .api(
        "/api/v1/households/{number}/plans/{year}",
        &["put"],
        put(save_plan),
    )
    .api(
        "/api/v1/households/{number}/measures",
        &["post"],
        post(add_measure),
    )
    .api(
        "/api/v1/households/{number}/measures/{id}",
        &["delete"],
        delete(remove_measure),
    )
    .api("/api/v1/assistance/gaps", &["get"], get(gaps))
    .api("/api/v1/assistance/measures", &["get"], get(measures))
}

/// `?year=` (default: the latest year with a plan or measure).
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// 年度 / the year (default: the latest year with a plan or measure).
    pub year: Option<i32>,
}

/// 一户的帮扶:计划、措施、应享与已享、缺口 / a household's plans, measures, entitlements and gaps
#[utoipa::path(get, path = "/api/v1/households/{number}/assistance", operation_id = "getHouseholdAssistance",
    tag = "assistance", params(("number" = String, Path, description = "户编号 / household number"), YearQuery),
    responses((status = 200, description = "OK", body = HouseholdAssistance)))]
pub async fn household(
    State(st): St,
    s: Session,
    Path(number): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(service::household(&st, &s, &number, q.year).await?))
}

/// 保存一户某年的帮扶计划(一户一策)/ save a household's plan of a year
#[utoipa::path(put, path = "/api/v1/households/{number}/plans/{year}", operation_id = "saveAssistancePlan",
    tag = "assistance", params(("number" = String, Path, description = "户编号 / household number"),
        ("year" = i64, Path, description = "年度 / year")),
    request_body = NewPlan,
    responses((status = 200, description = "OK", body = Plan)))]
pub async fn save_plan(
    State(st): St,
    s: WriteSession,
    Path((number, year)): Path<(String, i64)>,
    JsonBody(b): JsonBody<NewPlan>,
) -> Result<Json<Plan>, ApiError> {
    Ok(Json(service::save_plan(&st, &s, &number, year, &b).await?))
}

/// 记录一项帮扶措施 / record a measure delivered
#[utoipa::path(post, path = "/api/v1/households/{number}/measures", operation_id = "addAssistanceMeasure",
    tag = "assistance", params(("number" = String, Path, description = "户编号 / household number")),
    request_body = NewMeasure,
    responses((status = 201, description = "Created", body = StoredMeasure)))]
pub async fn add_measure(
    State(st): St,
    s: WriteSession,
    Path(number): Path<String>,
    JsonBody(b): JsonBody<NewMeasure>,
) -> Result<(StatusCode, Json<StoredMeasure>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::add_measure(&st, &s, &number, &b).await?),
    ))
}

/// 删除误录的措施 / remove a measure recorded in error
#[utoipa::path(delete, path = "/api/v1/households/{number}/measures/{id}", operation_id = "removeAssistanceMeasure",
    tag = "assistance", params(("number" = String, Path, description = "户编号 / household number"),
        ("id" = i64, Path, description = "措施编号 / measure id")),
    responses((status = 204, description = "Removed")))]
pub async fn remove_measure(
    State(st): St,
    s: WriteSession,
    Path((number, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    service::remove_measure(&st, &s, &number, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 本区域的帮扶缺口 / the gaps of assistance of an area
#[utoipa::path(get, path = "/api/v1/assistance/gaps", operation_id = "listAssistanceGaps",
    tag = "assistance", params(GapQuery),
    responses((status = 200, description = "OK", body = GapReport)))]
pub async fn gaps(
    State(st): St,
    s: Session,
    Query(q): Query<GapQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let r = service::gaps(
        &st,
        &s,
        q.area.as_deref(),
        q.as_of.as_deref(),
        q.code.as_deref(),
    )
    .await?;
    Ok(Json(crate::privacy::for_session(&s, &r)))
}

/// 期间内按类型的帮扶措施 / measures by kind in a period
#[utoipa::path(get, path = "/api/v1/assistance/measures", operation_id = "assistanceMeasuresByKind",
    tag = "assistance", params(MeasureQuery),
    responses((status = 200, description = "OK", body = MeasureReport)))]
pub async fn measures(
    State(st): St,
    s: Session,
    Query(q): Query<MeasureQuery>,
) -> Result<Json<MeasureReport>, ApiError> {
    Ok(Json(
        service::measures(
            &st,
            &s,
            q.area.as_deref(),
            q.from.as_deref(),
            q.to.as_deref(),
        )
        .await?,
    ))
}
