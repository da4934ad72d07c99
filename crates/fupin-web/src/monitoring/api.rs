//! The monitoring workflow's JSON API: thin handlers over [`super::service`].

use super::{
    service, AreaQuery, CaseRow, CompareResult, DismissBody, EliminationBody, EliminationResult,
    NewCaseBody, NewStepBody, Overview, Receipt, SelfReport,
};
use crate::error::{ApiError, JsonBody};
use crate::session::{ClientAddr, Session, WriteSession};
use crate::{AppState, Routes};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

type St = State<Arc<AppState>>;

pub fn register(r: Routes) -> Routes {
    r.api("/api/v1/monitoring", &["get"], get(overview))
        .api("/api/v1/monitoring/cases/{id}", &["get"], get(read))
        .api(
            "/api/v1/monitoring/cases/{id}/steps",
            &["post"],
            post(record_step),
        )
        .api(
            "/api/v1/monitoring/signals/{id}/case",
            &["post"],
            post(case_from_signal),
        )
        .api(
            "/api/v1/monitoring/signals/{id}/dismissal",
            &["post"],
            post(dismiss_signal),
        )
        .api("/api/v1/monitoring/department", &["post"], post(compare))
        .api(
            "/api/v1/households/{number}/monitoring/cases",
            &["post"],
            post(open_case),
        )
        .api(
            "/api/v1/households/{number}/monitoring/elimination",
            &["post"],
            post(eliminate),
        )
        .api("/api/v1/self-report", &["post"], post(self_report))
}

/// 一个区域的防返贫监测:待核实信号与案件(超期在前)/ the monitoring of an area
#[utoipa::path(get, path = "/api/v1/monitoring", operation_id = "monitoringOverview",
    tag = "monitoring", params(AreaQuery),
    responses((status = 200, description = "OK", body = Overview)))]
pub async fn overview(
    State(st): St,
    s: Session,
    Query(q): Query<AreaQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let o = service::overview(&st, &s, q.area.as_deref()).await?;
    Ok(Json(crate::privacy::for_session(&s, &o)))
}

/// 一个监测案件及其办理天数 / a case with its timing
#[utoipa::path(get, path = "/api/v1/monitoring/cases/{id}", operation_id = "getMonitoringCase",
    tag = "monitoring", params(("id" = String, Path, description = "案件编号 / case id")),
    responses((status = 200, description = "OK", body = CaseRow)))]
pub async fn read(
    State(st): St,
    s: Session,
    Path(id): Path<String>,
) -> Result<Json<CaseRow>, ApiError> {
    Ok(Json(service::read(&st, &s, &id).await?))
}

/// 记录案件步骤(村、乡镇、县各记本级步骤)/ record a case step (each level its own)
#[utoipa::path(post, path = "/api/v1/monitoring/cases/{id}/steps", operation_id = "recordCaseStep",
    tag = "monitoring", params(("id" = String, Path, description = "案件编号 / case id")),
    request_body = NewStepBody,
    responses((status = 200, description = "OK", body = CaseRow)))]
pub async fn record_step(
    State(st): St,
    s: WriteSession,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NewStepBody>,
) -> Result<Json<CaseRow>, ApiError> {
    Ok(Json(service::record_step(&st, &s, &id, &b).await?))
}

/// 由信号立案(请求体可为空对象)/ open a case from a signal (the body may be `{}`)
#[utoipa::path(post, path = "/api/v1/monitoring/signals/{id}/case", operation_id = "caseFromSignal",
    tag = "monitoring", params(("id" = String, Path, description = "信号编号(回执编号)/ signal id (receipt)")),
    request_body = NewCaseBody,
    responses((status = 201, description = "Created", body = CaseRow)))]
pub async fn case_from_signal(
    State(st): St,
    s: WriteSession,
    Path(id): Path<String>,
    JsonBody(_): JsonBody<NewCaseBody>,
) -> Result<(StatusCode, Json<CaseRow>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::case_from_signal(&st, &s, &id).await?),
    ))
}

/// 排除信号(须填原因;村、乡镇、县)/ dismiss a signal with a reason (village, township, county)
#[utoipa::path(post, path = "/api/v1/monitoring/signals/{id}/dismissal", operation_id = "dismissSignal",
    tag = "monitoring", params(("id" = String, Path, description = "信号编号(回执编号)/ signal id (receipt)")),
    request_body = DismissBody,
    responses((status = 200, description = "OK", body = fupin_store::monitoring::Signal)))]
pub async fn dismiss_signal(
    State(st): St,
    s: WriteSession,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<DismissBody>,
) -> Result<Json<fupin_store::monitoring::Signal>, ApiError> {
    Ok(Json(service::dismiss_signal(&st, &s, &id, &b).await?))
}

/// A department file: its name (`.csv` or `.xlsx`) and its content, as text (CSV) or base64 (either).
#[derive(Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct DepartmentUpload {
    /// 文件名(.csv 或 .xlsx)/ the file's name (.csv or .xlsx); default `department.csv`
    pub file: Option<String>,
    /// CSV 文本 / the CSV as text
    pub content: Option<String>,
    /// 文件内容的 base64(XLSX 用)/ the file's bytes in base64 (for XLSX)
    pub content_base64: Option<String>,
    /// 只看预警,不立案 / alerts only, open no case
    #[serde(default)]
    pub dry_run: bool,
}

/// 部门数据比对(县级;风险预警自动立案)/ compare a department file (the county; risk signals open cases)
#[utoipa::path(post, path = "/api/v1/monitoring/department", operation_id = "compareDepartment",
    tag = "monitoring", request_body = DepartmentUpload,
    responses((status = 200, description = "OK", body = CompareResult)))]
pub async fn compare(
    State(st): St,
    s: WriteSession,
    JsonBody(b): JsonBody<DepartmentUpload>,
) -> Result<Json<CompareResult>, ApiError> {
    use base64::Engine;
    let name = b.file.unwrap_or_else(|| "department.csv".into());
    let bytes = match (b.content, b.content_base64) {
        (Some(text), _) => text.into_bytes(),
        (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|e| {
                ApiError::bad_request(
                    "content_base64",
                    format!("base64 无效 / invalid base64: {e}"),
                )
            })?,
        (None, None) => Vec::new(),
    };
    Ok(Json(
        service::compare(&st, &s, &name, &bytes, b.dry_run).await?,
    ))
}

/// 走访发现风险,立案 / open a case after a visit
#[utoipa::path(post, path = "/api/v1/households/{number}/monitoring/cases", operation_id = "openMonitoringCase",
    tag = "monitoring", params(("number" = String, Path, description = "户编号 / household number")),
    request_body = NewCaseBody,
    responses((status = 201, description = "Created", body = CaseRow)))]
pub async fn open_case(
    State(st): St,
    s: WriteSession,
    Path(number): Path<String>,
    JsonBody(b): JsonBody<NewCaseBody>,
) -> Result<(StatusCode, Json<CaseRow>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::open_case(&st, &s, &number, &b).await?),
    ))
}

/// 风险消除评估(record=true 时标注)/ judge (and record) a risk elimination
#[utoipa::path(post, path = "/api/v1/households/{number}/monitoring/elimination", operation_id = "eliminateRisk",
    tag = "monitoring", params(("number" = String, Path, description = "户编号 / household number")),
    request_body = EliminationBody,
    responses((status = 200, description = "OK", body = EliminationResult)))]
pub async fn eliminate(
    State(st): St,
    s: WriteSession,
    Path(number): Path<String>,
    JsonBody(b): JsonBody<EliminationBody>,
) -> Result<Json<EliminationResult>, ApiError> {
    Ok(Json(service::eliminate(&st, &s, &number, &b).await?))
}

/// 农户自主申报(无需登录,只返回回执编号)/ self-report (no sign-in; a receipt number only)
#[utoipa::path(post, path = "/api/v1/self-report", operation_id = "selfReport",
    tag = "monitoring", request_body = SelfReport,
    responses((status = 201, description = "Created", body = Receipt)))]
pub async fn self_report(
    State(st): St,
    ClientAddr(addr): ClientAddr,
    JsonBody(b): JsonBody<SelfReport>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::self_report(&st, &addr, &b).await?),
    ))
}
