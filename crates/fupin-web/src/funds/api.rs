//! The funds' JSON API: thin handlers over [`super::service`].

use super::*;
use crate::error::{ApiError, JsonBody};
use crate::session::{Session, WriteSession};
use crate::{AppState, Routes};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Json;
use std::sync::Arc;

type St = State<Arc<AppState>>;

pub fn register(r: Routes) -> Routes {
    r.api("/api/v1/funds", &["get"], get(overview))
        .api("/api/v1/funds/projects", &["get"], get(projects))
        .api(
            "/api/v1/funds/projects/{county}/{id}",
            &["get", "put"],
            get(project).put(put_project),
        )
        .api("/api/v1/funds/loans", &["get"], get(loans))
        .api(
            "/api/v1/funds/assets/{county}/{id}/dividends",
            &["get"],
            get(dividends),
        )
        .api(
            "/api/v1/funds/assets/{county}/{id}/income",
            &["post"],
            post(record_income),
        )
        .api(
            "/api/v1/funds/tables/{table}",
            &["get", "post"],
            get(table_rows).post(import_rows),
        )
        .api(
            "/api/v1/households/{number}/funds",
            &["get"],
            get(of_household),
        )
}

/// 县级资金:规则检查、来源、分配、拨付、项目、贷款、资产 / a county's funds in a year
#[utoipa::path(get, path = "/api/v1/funds", operation_id = "getFunds", tag = "funds",
    params(FundsQuery), responses((status = 200, description = "OK", body = Overview)))]
pub async fn overview(
    State(st): St,
    s: Session,
    Query(q): Query<FundsQuery>,
) -> Result<Json<Overview>, ApiError> {
    Ok(Json(
        service::overview(&st, &s, q.area.as_deref(), q.year).await?,
    ))
}

/// 项目库 / the project library
#[utoipa::path(get, path = "/api/v1/funds/projects", operation_id = "listProjects", tag = "funds",
    params(ProjectQuery), responses((status = 200, description = "OK", body = ProjectList)))]
pub async fn projects(
    State(st): St,
    s: Session,
    Query(q): Query<ProjectQuery>,
) -> Result<Json<ProjectList>, ApiError> {
    let projects = service::projects(&st, &s, &q).await?;
    Ok(Json(ProjectList { projects }))
}

/// 一个项目及其资金分配和拨付 / a project with its allocations and disbursements
#[utoipa::path(get, path = "/api/v1/funds/projects/{county}/{id}", operation_id = "getProject",
    tag = "funds", params(("county" = String, Path, description = "县级区划代码 / county code"),
        ("id" = String, Path, description = "项目编号 / project id")),
    responses((status = 200, description = "OK", body = ProjectDetail)))]
pub async fn project(
    State(st): St,
    s: Session,
    Path((county, id)): Path<(String, String)>,
) -> Result<Json<ProjectDetail>, ApiError> {
    Ok(Json(service::project(&st, &s, &county, &id).await?))
}

/// 新增或修改项目(县级)/ record a project (the county)
#[utoipa::path(put, path = "/api/v1/funds/projects/{county}/{id}", operation_id = "putProject",
    tag = "funds", params(("county" = String, Path, description = "县级区划代码 / county code"),
        ("id" = String, Path, description = "项目编号 / project id")),
    request_body = Project,
    responses((status = 200, description = "OK", body = Project)))]
pub async fn put_project(
    State(st): St,
    s: WriteSession,
    Path((county, id)): Path<(String, String)>,
    JsonBody(b): JsonBody<Project>,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(service::put_project(&st, &s, &county, &id, &b).await?))
}

/// 小额信贷(逾期在前)/ small loans, the overdue first
#[utoipa::path(get, path = "/api/v1/funds/loans", operation_id = "listLoans", tag = "funds",
    params(FundsQuery), responses((status = 200, description = "OK", body = LoanList)))]
pub async fn loans(
    State(st): St,
    s: Session,
    Query(q): Query<FundsQuery>,
) -> Result<Json<LoanList>, ApiError> {
    let loans = service::loans(&st, &s, &q).await?;
    Ok(Json(LoanList { loans }))
}

/// 资产收益分红名单 / an asset's dividends in a year
#[utoipa::path(get, path = "/api/v1/funds/assets/{county}/{id}/dividends",
    operation_id = "listDividends", tag = "funds",
    params(("county" = String, Path, description = "县级区划代码 / county code"),
        ("id" = String, Path, description = "资产编号 / asset id"), YearQuery),
    responses((status = 200, description = "OK", body = DividendList)))]
pub async fn dividends(
    State(st): St,
    s: Session,
    Path((county, id)): Path<(String, String)>,
    Query(q): Query<YearQuery>,
) -> Result<Json<DividendList>, ApiError> {
    Ok(Json(
        service::dividends(&st, &s, &county, &id, q.year).await?,
    ))
}

/// 登记资产年度收益并分红(县级)/ record an asset's income of a year and pay its dividends
#[utoipa::path(post, path = "/api/v1/funds/assets/{county}/{id}/income",
    operation_id = "recordAssetIncome", tag = "funds",
    params(("county" = String, Path, description = "县级区划代码 / county code"),
        ("id" = String, Path, description = "资产编号 / asset id")),
    request_body = NewIncome,
    responses((status = 200, description = "OK", body = DividendList)))]
pub async fn record_income(
    State(st): St,
    s: WriteSession,
    Path((county, id)): Path<(String, String)>,
    JsonBody(b): JsonBody<NewIncome>,
) -> Result<Json<DividendList>, ApiError> {
    Ok(Json(
        service::record_income(&st, &s, &county, &id, &b).await?,
    ))
}

/// 一户获得的贷款和分红 / a household's loans and dividends
#[utoipa::path(get, path = "/api/v1/households/{number}/funds", operation_id = "getHouseholdFunds",
    tag = "funds", params(("number" = String, Path, description = "户编号 / household number")),
    responses((status = 200, description = "OK", body = HouseholdFunds)))]
pub async fn of_household(
    State(st): St,
    s: Session,
    Path(number): Path<String>,
) -> Result<Json<HouseholdFunds>, ApiError> {
    Ok(Json(service::of_household(&st, &s, &number).await?))
}

/// 资金表数据(按县)/ a county's rows of a funds table
#[utoipa::path(get, path = "/api/v1/funds/tables/{table}", operation_id = "getFundsTable",
    tag = "funds",
    params(("table" = String, Path, description = "表 / table: sources, years, projects, allocations, disbursements, loans, repayments, subsidies, assets, asset-income, cooperatives"),
        ("area" = String, Query, description = "县级区划代码 / county code")),
    responses((status = 200, description = "OK", body = service::TableRows)))]
pub async fn table_rows(
    State(st): St,
    s: Session,
    Path(table): Path<String>,
    Query(q): Query<TableQuery>,
) -> Result<Json<service::TableRows>, ApiError> {
    Ok(Json(service::table_json(&st, &s, &table, &q.area).await?))
}

/// 导入资金表(与上传表格同一检查,全部或全不)/ import a funds table's rows (checked as an uploaded sheet; all or nothing)
#[utoipa::path(post, path = "/api/v1/funds/tables/{table}", operation_id = "importFundsTable",
    tag = "funds",
    params(("table" = String, Path, description = "表 / table: sources, years, projects, allocations, disbursements, loans, repayments, subsidies, assets, asset-income, cooperatives")),
    request_body = TableImport,
    responses((status = 200, description = "写入或逐格错误 / written, or every bad cell (nothing written)", body = service::SheetImport)))]
pub async fn import_rows(
    State(st): St,
    s: WriteSession,
    Path(table): Path<String>,
    JsonBody(b): JsonBody<TableImport>,
) -> Result<Json<service::SheetImport>, ApiError> {
    Ok(Json(service::import_json(&st, &s, &table, &b.rows).await?))
}
