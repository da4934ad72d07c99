//! The identification applications' JSON API: thin handlers over [`super::service`].

use super::service;
use super::{ApplicationList, NewApplication, StepInput};
use crate::error::{ApiError, JsonBody};
use crate::registry::AreaParam;
use crate::session::{Session, WriteSession};
use crate::{AppState, Routes};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Json;
use fupin_store::directory::Application;
use serde_json::{json, Value};
use std::sync::Arc;

type St = State<Arc<AppState>>;

pub fn register(r: Routes) -> Routes {
    r.api(
        "/api/v1/applications",
        &["get", "post"],
        get(list).post(create),
    )
    .api("/api/v1/applications/{id}", &["get"], get(read))
    .api(
        "/api/v1/applications/{id}/steps",
        &["post"],
        post(record_step),
    )
}

/// 识别申请 / identification applications
#[utoipa::path(get, path = "/api/v1/applications", operation_id = "listApplications",
    tag = "applications", params(AreaParam),
    responses((status = 200, description = "OK", body = ApplicationList)))]
pub async fn list(
    State(st): St,
    s: Session,
    Query(q): Query<AreaParam>,
) -> Result<Json<Value>, ApiError> {
    let applications = service::list(&st, &s, q.area.as_deref()).await?;
    let applications = crate::privacy::for_session(&s, &applications);
    Ok(Json(json!({ "applications": applications })))
}

/// 新建识别申请 / a new application
#[utoipa::path(post, path = "/api/v1/applications", operation_id = "createApplication",
    tag = "applications", request_body = NewApplication,
    responses((status = 201, description = "Created", body = Application)))]
pub async fn create(
    State(st): St,
    s: WriteSession,
    JsonBody(b): JsonBody<NewApplication>,
) -> Result<(StatusCode, Json<Application>), ApiError> {
    Ok((StatusCode::CREATED, Json(service::file(&st, &s, &b).await?)))
}

/// 一个申请及其各步骤 / an application with its steps
#[utoipa::path(get, path = "/api/v1/applications/{id}", operation_id = "getApplication",
    tag = "applications", params(("id" = String, Path, description = "申请编号 / application id")),
    responses((status = 200, description = "OK", body = Application)))]
pub async fn read(
    State(st): St,
    s: Session,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let a = service::read(&st, &s, &id).await?;
    Ok(Json(crate::privacy::for_session(&s, &a)))
}

/// 记录下一步骤 / record the next step
#[utoipa::path(post, path = "/api/v1/applications/{id}/steps", operation_id = "recordApplicationStep",
    tag = "applications", params(("id" = String, Path, description = "申请编号 / application id")),
    request_body = StepInput,
    responses((status = 200, description = "OK", body = Application)))]
pub async fn record_step(
    State(st): St,
    s: WriteSession,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<StepInput>,
) -> Result<Json<Application>, ApiError> {
    Ok(Json(service::advance(&st, &s, &id, &b).await?))
}
