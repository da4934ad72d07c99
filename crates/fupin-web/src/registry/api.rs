//! The registry's JSON API under `/api/v1`: thin handlers over [`super::service`]. Each carries its
//! OpenAPI description (`#[utoipa::path]`); [`crate::openapi`] collects them.

use super::service;
use super::{
    AreaList, AreaParam, AreaQuery, AsOf, Assessment, Audit, Household, Join, Leave, ListQuery,
    Period, Transition, Village,
};
use crate::error::{ApiError, JsonBody};
use crate::session::{Session, WriteSession};
use crate::state::Dashboard;
use crate::{AppState, Routes};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::Json;
use fupin_core::codes::HouseholdStatus;
use fupin_store::directory::{HouseholdRow, Page};
use fupin_store::{ChangeReport, History, HouseholdRecord};
use serde_json::Value;
use std::sync::Arc;

type St = State<Arc<AppState>>;
type Answer<T> = Result<Json<T>, ApiError>;

pub fn register(r: Routes) -> Routes {
    r.api("/api/v1/areas", &["get"], get(areas))
        .api(
            "/api/v1/households",
            &["get", "post"],
            get(list).post(create),
        )
        .api(
            "/api/v1/households/{number}",
            &["get", "put"],
            get(read).put(update),
        )
        .api(
            "/api/v1/households/{number}/assessment",
            &["get"],
            get(assessment),
        )
        .api(
            "/api/v1/households/{number}/history",
            &["get"],
            get(history),
        )
        .api("/api/v1/households/{number}/audit", &["get"], get(audit))
        .api("/api/v1/households/{number}/exit", &["post"], post(exit))
        .api(
            "/api/v1/households/{number}/return",
            &["post"],
            post(return_),
        )
        .api(
            "/api/v1/households/{number}/remove",
            &["post"],
            post(remove),
        )
        .api(
            "/api/v1/households/{number}/members",
            &["post"],
            post(add_member),
        )
        .api(
            "/api/v1/households/{number}/members/{id_number}",
            &["delete"],
            delete(remove_member),
        )
        .api("/api/v1/reports/changes", &["get"], get(changes))
        .api("/api/v1/dashboard", &["get"], get(dashboard))
        .api("/api/v1/villages/{code}", &["get"], get(village))
}

/// 下级区划 / the areas below a parent
#[utoipa::path(get, path = "/api/v1/areas", operation_id = "listAreas", tag = "registry",
    params(AreaQuery), responses((status = 200, description = "OK", body = AreaList)))]
pub async fn areas(State(st): St, s: Session, Query(q): Query<AreaQuery>) -> Answer<Value> {
    Ok(Json(service::areas(&st, &s, q.parent.as_deref()).await?))
}

/// 贫困户列表:筛选、搜索、分页 / households: filters, search, paging
#[utoipa::path(get, path = "/api/v1/households", operation_id = "listHouseholds", tag = "registry",
    params(ListQuery), responses((status = 200, description = "OK", body = Page<HouseholdRow>)))]
pub async fn list(State(st): St, s: Session, Query(q): Query<ListQuery>) -> Answer<Value> {
    let page = service::list(&st, &s, &q).await?;
    Ok(Json(crate::privacy::for_session(&s, &page)))
}

/// 新建户(fupin assess 的户格式,加 number)/ create a household
#[utoipa::path(post, path = "/api/v1/households", operation_id = "createHousehold", tag = "registry",
    request_body = Household,
    responses((status = 201, description = "Created", body = Household)))]
pub async fn create(
    State(st): St,
    s: WriteSession,
    JsonBody(body): JsonBody<Household>,
) -> Result<(StatusCode, Json<HouseholdRecord>), ApiError> {
    let saved = service::create(&st, &s, &body).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// 一户及其成员 / a household with its members
#[utoipa::path(get, path = "/api/v1/households/{number}", operation_id = "getHousehold", tag = "registry",
    params(("number" = String, Path, description = "户编号 / household number")),
    responses((status = 200, description = "OK", body = Household)))]
pub async fn read(State(st): St, s: Session, Path(number): Path<String>) -> Answer<Value> {
    let h = st.household_for(&s, &number, false).await?;
    Ok(Json(crate::privacy::for_session(&s, &h)))
}

/// 修改一户(须带 version;可用 GET 的结果改后提交)/ update a household (with its version; a GET's answer, changed, is a valid body)
#[utoipa::path(put, path = "/api/v1/households/{number}", operation_id = "updateHousehold", tag = "registry",
    params(("number" = String, Path, description = "户编号 / household number")),
    request_body = Household,
    responses((status = 200, description = "OK", body = Household)))]
pub async fn update(
    State(st): St,
    s: WriteSession,
    Path(number): Path<String>,
    JsonBody(body): JsonBody<Household>,
) -> Answer<HouseholdRecord> {
    Ok(Json(service::update(&st, &s, &number, &body).await?))
}

/// 脱贫标准核验与监测分类 / exit check and monitoring
#[utoipa::path(get, path = "/api/v1/households/{number}/assessment", operation_id = "getAssessment",
    tag = "registry",
    params(("number" = String, Path, description = "户编号 / household number"), AsOf),
    responses((status = 200, description = "OK", body = Assessment)))]
pub async fn assessment(
    State(st): St,
    s: Session,
    Path(number): Path<String>,
    Query(q): Query<AsOf>,
) -> Answer<Assessment> {
    Ok(Json(service::assessment(&st, &s, &number, q.as_of).await?))
}

/// 某日的状态、成员与事件 / status, members and events as of a date
#[utoipa::path(get, path = "/api/v1/households/{number}/history", operation_id = "getHistory",
    tag = "registry",
    params(("number" = String, Path, description = "户编号 / household number"), AsOf),
    responses((status = 200, description = "OK", body = History)))]
pub async fn history(
    State(st): St,
    s: Session,
    Path(number): Path<String>,
    Query(q): Query<AsOf>,
) -> Answer<Value> {
    let h = service::history(&st, &s, &number, q.as_of).await?;
    Ok(Json(crate::privacy::for_session(&s, &h)))
}

/// 操作日志 / audit trail
#[utoipa::path(get, path = "/api/v1/households/{number}/audit", operation_id = "getAudit",
    tag = "registry",
    params(("number" = String, Path, description = "户编号 / household number")),
    responses((status = 200, description = "OK", body = Audit)))]
pub async fn audit(State(st): St, s: Session, Path(number): Path<String>) -> Answer<Value> {
    let trail = service::audit(&st, &s, &number).await?;
    Ok(Json(crate::privacy::for_session(&s, &trail)))
}

async fn transition(
    st: &AppState,
    s: &Session,
    number: &str,
    to: HouseholdStatus,
    body: &Transition,
) -> Answer<HouseholdRecord> {
    Ok(Json(service::lifecycle(st, s, number, to, body).await?))
}

/// 标注脱贫(未达标须填原因)/ mark exited (a reason overrides a failed check)
#[utoipa::path(post, path = "/api/v1/households/{number}/exit", operation_id = "exitHousehold",
    tag = "registry",
    params(("number" = String, Path, description = "户编号 / household number")),
    request_body = Transition, responses((status = 200, description = "OK", body = Household)))]
pub async fn exit(
    State(st): St,
    s: WriteSession,
    Path(n): Path<String>,
    JsonBody(b): JsonBody<Transition>,
) -> Answer<HouseholdRecord> {
    transition(&st, &s, &n, HouseholdStatus::Exited, &b).await
}

/// 标注返贫 / mark returned
#[utoipa::path(post, path = "/api/v1/households/{number}/return", operation_id = "returnHousehold",
    tag = "registry",
    params(("number" = String, Path, description = "户编号 / household number")),
    request_body = Transition, responses((status = 200, description = "OK", body = Household)))]
pub async fn return_(
    State(st): St,
    s: WriteSession,
    Path(n): Path<String>,
    JsonBody(b): JsonBody<Transition>,
) -> Answer<HouseholdRecord> {
    transition(&st, &s, &n, HouseholdStatus::Returned, &b).await
}

/// 清退(须填原因)/ remove (a reason is required)
#[utoipa::path(post, path = "/api/v1/households/{number}/remove", operation_id = "removeHousehold",
    tag = "registry",
    params(("number" = String, Path, description = "户编号 / household number")),
    request_body = Transition, responses((status = 200, description = "OK", body = Household)))]
pub async fn remove(
    State(st): St,
    s: WriteSession,
    Path(n): Path<String>,
    JsonBody(b): JsonBody<Transition>,
) -> Answer<HouseholdRecord> {
    transition(&st, &s, &n, HouseholdStatus::Removed, &b).await
}

/// 增加成员 / add a member
#[utoipa::path(post, path = "/api/v1/households/{number}/members", operation_id = "addMember",
    tag = "registry",
    params(("number" = String, Path, description = "户编号 / household number")),
    request_body = Join, responses((status = 200, description = "OK", body = Household)))]
pub async fn add_member(
    State(st): St,
    s: WriteSession,
    Path(n): Path<String>,
    JsonBody(b): JsonBody<Join>,
) -> Answer<HouseholdRecord> {
    Ok(Json(service::add_member(&st, &s, &n, &b).await?))
}

/// 成员减少 / a member leaves
#[utoipa::path(delete, path = "/api/v1/households/{number}/members/{id_number}",
    operation_id = "removeMember", tag = "registry",
    params(("number" = String, Path, description = "户编号 / household number"),
        ("id_number" = String, Path, description = "成员身份证号 / the member's ID number"), Leave),
    responses((status = 200, description = "OK", body = Household)))]
pub async fn remove_member(
    State(st): St,
    s: WriteSession,
    Path((n, id_number)): Path<(String, String)>,
    Query(q): Query<Leave>,
) -> Answer<HouseholdRecord> {
    Ok(Json(
        service::remove_member(&st, &s, &n, &id_number, &q).await?,
    ))
}

/// 动态管理报表 / the dynamic-management change report
#[utoipa::path(get, path = "/api/v1/reports/changes", operation_id = "getChangeReport",
    tag = "registry", params(Period),
    responses((status = 200, description = "OK", body = ChangeReport)))]
pub async fn changes(State(st): St, s: Session, Query(q): Query<Period>) -> Answer<Value> {
    let report = service::change_report(&st, &s, &q).await?;
    Ok(Json(serde_json::to_value(report).expect("json")))
}

/// 看板数据 / dashboard figures
#[utoipa::path(get, path = "/api/v1/dashboard", operation_id = "getDashboard", tag = "registry",
    params(AreaParam), responses((status = 200, description = "OK", body = Dashboard)))]
pub async fn dashboard(State(st): St, s: Session, Query(q): Query<AreaParam>) -> Answer<Value> {
    let (_, d) = service::dashboard(&st, &s, q.area.as_deref(), q.year).await?;
    Ok(Json(serde_json::to_value(&*d).expect("json")))
}

/// 村贫困发生率与退出核验 / village incidence and exit check
#[utoipa::path(get, path = "/api/v1/villages/{code}", operation_id = "getVillage", tag = "registry",
    params(("code" = String, Path, description = "12位村级区划代码 / the 12-digit village code")),
    responses((status = 200, description = "OK", body = Village)))]
pub async fn village(State(st): St, s: Session, Path(code): Path<String>) -> Answer<Village> {
    Ok(Json(service::village_figures(&st, &s, &code).await?))
}
