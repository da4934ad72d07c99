//! The OpenAPI 3.1 document of `/api/v1` (written here, checked by a test against the routes the
//! router registers) and an offline docs page that renders it.

use axum::response::{Html, IntoResponse};
use axum::Json;
use serde_json::{json, Map, Value};

/// (method, path, summary, query parameters, request body example)
type Op = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
);

const AREA: (&str, &str) = (
    "area",
    "区划前缀 / area-code prefix (default: the user's area)",
);

pub const OPERATIONS: &[Op] = &[
    ("post", "/api/v1/session", "登录,设置会话 Cookie,返回 CSRF 令牌 / log in: sets the session cookie, returns the CSRF token", &[], Some(r#"{"username": "zezhou", "password": "..."}"#)),
    ("get", "/api/v1/session", "当前用户与 CSRF 令牌 / the current user and CSRF token", &[], None),
    ("delete", "/api/v1/session", "退出登录 / log out", &[], None),
    ("put", "/api/v1/session/password", "修改密码 / change the password", &[], Some(r#"{"old_password": "...", "new_password": "..."}"#)),
    ("get", "/api/v1/areas", "下级区划 / the areas below a parent", &[("parent", "上级区划前缀 / parent prefix")], None),
    ("get", "/api/v1/households", "贫困户列表:筛选、搜索、分页 / households: filters, search, paging", &[AREA, ("status", "poor|exited|returned|removed|non_poor"), ("cause", "main cause code"), ("attribute", "attribute code"), ("monitoring", "monitoring category"), ("q", "姓名、身份证号(可部分)或户编号 / name, (part of an) ID number or household number"), ("page", "1-based"), ("per_page", "1..500, default 50")], None),
    ("post", "/api/v1/households", "新建户(fupin assess 的户格式,加 number)/ create a household", &[], Some(r#"{"number": "140525100201099", "area_code": "140525100201", "status": "poor", "income": {"wage": 8000}, "food": true, "clothing": true, "water": true, "housing_grade": "B", "members": [{"id_number": "...", "name": "...", "relation": "head", "medical_insured": true}]}"#)),
    ("get", "/api/v1/households/{number}", "一户及其成员 / a household with its members", &[], None),
    ("put", "/api/v1/households/{number}", "修改一户(须带 version)/ update a household (with its version)", &[], Some(r#"{"version": 3, "area_code": "140525100201", "income": {"wage": 9000}, "food": true, "clothing": true, "water": true, "housing_grade": "B", "members": [...]}"#)),
    ("get", "/api/v1/households/{number}/assessment", "脱贫标准核验与监测分类 / exit check and monitoring", &[("as_of", "YYYY-MM-DD")], None),
    ("get", "/api/v1/households/{number}/history", "某日的状态、成员与事件 / status, members and events as of a date", &[("as_of", "YYYY-MM-DD")], None),
    ("get", "/api/v1/households/{number}/audit", "操作日志 / audit trail", &[], None),
    ("post", "/api/v1/households/{number}/exit", "标注脱贫(未达标须填原因)/ mark exited (a reason overrides a failed check)", &[], Some(r#"{"version": 3, "date": "2020-06-30", "reason": ""}"#)),
    ("post", "/api/v1/households/{number}/return", "标注返贫 / mark returned", &[], Some(r#"{"version": 4, "date": "2020-09-30", "reason": "因病"}"#)),
    ("post", "/api/v1/households/{number}/remove", "清退(须填原因)/ remove (a reason is required)", &[], Some(r#"{"version": 4, "reason": "识别不准:有商品房"}"#)),
    ("post", "/api/v1/households/{number}/members", "增加成员 / add a member", &[], Some(r#"{"version": 3, "reason": "birth", "member": {"id_number": "...", "name": "...", "relation": "grandchild", "medical_insured": true}}"#)),
    ("delete", "/api/v1/households/{number}/members/{id_number}", "成员减少 / a member leaves", &[("version", "the household version"), ("reason", "death|marriage|moved|other"), ("date", "YYYY-MM-DD")], None),
    ("get", "/api/v1/reports/changes", "动态管理报表 / the dynamic-management change report", &[("from", "YYYY-MM-DD"), ("to", "YYYY-MM-DD"), AREA], None),
    ("get", "/api/v1/dashboard", "看板数据 / dashboard figures", &[AREA], None),
    ("get", "/api/v1/villages/{code}", "村贫困发生率与退出核验 / village incidence and exit check", &[], None),
    ("get", "/api/v1/applications", "识别申请 / identification applications", &[AREA], None),
    ("post", "/api/v1/applications", "新建识别申请 / a new application", &[], Some(r#"{"area_code": "140525100201", "applicant_name": "...", "applicant_id_number": "...", "members": 3, "reason": "因病"}"#)),
    ("get", "/api/v1/applications/{id}", "一个申请及其各步骤 / an application with its steps", &[], None),
    ("post", "/api/v1/applications/{id}/steps", "记录下一步骤 / record the next step", &[], Some(r#"{"step": "household_survey", "outcome": "passed", "note": "", "exclusions": []}"#)),
    ("get", "/api/v1/users", "用户(管理员)/ accounts (admin)", &[], None),
    ("post", "/api/v1/users", "新建用户(管理员)/ create an account (admin)", &[], Some(r#"{"name": "dongou", "role": "village", "area": "140525100201", "password": "..."}"#)),
];

/// The OpenAPI document.
pub fn spec() -> Value {
    let mut paths = Map::new();
    for (method, path, summary, params, body) in OPERATIONS {
        let mut parameters: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        parameters.extend(params.iter().map(|(n, d)| json!({"name": n, "in": "query", "description": d, "schema": {"type": "string"}})));
        let mut op = json!({
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "OK"},
                "400": {"description": "bad input: {\"error\": {\"code\", \"message\", \"fields\"}}"},
                "401": {"description": "not logged in"},
                "403": {"description": "not allowed, or missing CSRF token (writes need header X-CSRF-Token)"},
                "404": {"description": "not found, or outside the user's area"},
                "409": {"description": "stale version or illegal transition"}
            }
        });
        if let Some(example) = body {
            let example: Value =
                serde_json::from_str(example).unwrap_or(Value::String((*example).to_string()));
            op["requestBody"] = json!({"content": {"application/json": {"example": example}}});
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "fupin API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "精准扶贫与防返贫监测 JSON 接口。登录后用会话 Cookie;写操作须带 X-CSRF-Token 请求头(登录响应中的 csrf_token)。错误为 {\"error\": {\"code\", \"message\"}}。 / Log in with POST /api/v1/session; writes carry the X-CSRF-Token header."
        },
        "components": {"securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "fupin_session"}}},
        "security": [{"session": []}],
        "paths": paths
    })
}

pub async fn document() -> impl IntoResponse {
    Json(spec())
}

pub async fn docs_page() -> Html<&'static str> {
    Html(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>fupin API</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head>\
         <body><main id=\"apidoc\">加载中 / loading…</main><script src=\"/static/apidoc.js\"></script></body></html>",
    )
}
