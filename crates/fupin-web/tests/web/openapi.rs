//! The OpenAPI document: every route in it, valid (parsed by `oas3`) with an operation id, request and
//! response schemas for every operation, and answers that carry the properties their schemas document.

use crate::common::{file_application, get, login, sqlite_app};
use axum::http::StatusCode;
use serde_json::Value;

#[test]
fn every_api_route_is_in_the_openapi_document() {
    let routes = fupin_web::routes();
    let spec = fupin_web::openapi::spec();
    let paths = spec["paths"].as_object().unwrap();
    for (method, path) in &routes.api {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is missing from /api/openapi.json"
        );
    }
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            assert!(
                routes.api.iter().any(|(m, p)| m == method && p == path),
                "{method} {path} is documented but not routed"
            );
        }
    }
    assert!(routes.api.len() >= 25);
}

#[test]
fn the_openapi_document_is_valid_with_ids_and_schemas() {
    let text = fupin_web::openapi::spec().to_string();
    let spec = oas3::from_json(&text).expect("a valid OpenAPI 3.1 document");
    let paths = spec.paths.as_ref().expect("paths");
    let mut ids = std::collections::HashSet::new();
    let mut count = 0;
    for (path, item) in paths {
        let ops = [
            ("get", &item.get),
            ("put", &item.put),
            ("post", &item.post),
            ("delete", &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            count += 1;
            let id = op.operation_id.clone().unwrap_or_default();
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            assert!(ids.insert(id.clone()), "operationId {id} twice");
            if matches!(method, "put" | "post") {
                let body = op
                    .request_body
                    .as_ref()
                    .unwrap_or_else(|| panic!("{method} {path}: no request body"))
                    .resolve(&spec)
                    .expect("request body resolves");
                let schema = body.content["application/json"]
                    .schema
                    .as_ref()
                    .unwrap_or_else(|| panic!("{method} {path}: no request schema"));
                schema.resolve(&spec).expect("request schema resolves");
            }
            let responses = op.responses.as_ref().expect("responses");
            let success: Vec<_> = responses
                .iter()
                .filter(|(code, _)| code.starts_with('2'))
                .collect();
            assert_eq!(success.len(), 1, "{method} {path}: one success answer");
            for (code, r) in responses {
                let r = r.resolve(&spec).expect("response resolves");
                if code == "204" {
                    continue;
                }
                let schema = r
                    .content
                    .get("application/json")
                    .and_then(|m| m.schema.as_ref())
                    .unwrap_or_else(|| panic!("{method} {path} {code}: no response schema"));
                schema.resolve(&spec).expect("response schema resolves");
            }
        }
    }
    assert_eq!(count, fupin_web::routes().api.len());
}

/// The schema a response of `method path` documents for its success, with `$ref`s followed.
fn success_schema<'a>(spec: &'a Value, path: &str, method: &str) -> &'a Value {
    let responses = &spec["paths"][path][method]["responses"];
    let ok = responses
        .as_object()
        .unwrap()
        .iter()
        .find(|(code, _)| code.starts_with('2'))
        .unwrap()
        .1;
    resolve(spec, &ok["content"]["application/json"]["schema"])
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            resolve(spec, &spec["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// Checks that an answer carries exactly the properties its schema documents, and only the codes it
/// lists (into nested objects, and the first element of arrays).
fn matches_schema(spec: &Value, schema: &Value, answer: &Value, at: &str) {
    let schema = resolve(spec, schema);
    if let Some(values) = schema["enum"].as_array() {
        assert!(
            values.contains(answer),
            "{at}: {answer} is not one of {values:?}"
        );
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), answer.as_object()) {
        for k in obj.keys() {
            assert!(props.contains_key(k), "{at}: {k} is not documented");
        }
        for k in schema["required"].as_array().into_iter().flatten() {
            let k = k.as_str().unwrap();
            assert!(obj.contains_key(k), "{at}: required {k} is missing");
        }
        for (k, v) in obj {
            matches_schema(spec, &props[k], v, &format!("{at}.{k}"));
        }
    }
    if let (Some(first), Some(items)) = (
        answer.as_array().and_then(|a| a.first()),
        schema.get("items"),
    ) {
        matches_schema(spec, items, first, &format!("{at}[0]"));
    }
}

#[test]
fn answers_carry_the_properties_their_schemas_document() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let app = fupin_web::app(state);
        let spec = fupin_web::openapi::spec();
        let (cookie, csrf) = login(&app, "admin").await;
        let h = "140525100201001";
        let created = file_application(&app, &cookie, &csrf).await;
        let id = created.json["id"].as_str().unwrap().to_string();
        let reads = [
            ("/api/v1/session", "/api/v1/session".to_string()),
            ("/api/v1/areas", "/api/v1/areas?parent=140525".to_string()),
            ("/api/v1/households", "/api/v1/households".to_string()),
            (
                "/api/v1/households/{number}",
                format!("/api/v1/households/{h}"),
            ),
            (
                "/api/v1/households/{number}/assessment",
                format!("/api/v1/households/{h}/assessment"),
            ),
            (
                "/api/v1/households/{number}/history",
                format!("/api/v1/households/{h}/history"),
            ),
            (
                "/api/v1/households/{number}/audit",
                format!("/api/v1/households/{h}/audit"),
            ),
            ("/api/v1/dashboard", "/api/v1/dashboard".to_string()),
            (
                "/api/v1/villages/{code}",
                "/api/v1/villages/140525100201".to_string(),
            ),
            ("/api/v1/applications", "/api/v1/applications".to_string()),
            (
                "/api/v1/applications/{id}",
                format!("/api/v1/applications/{id}"),
            ),
            ("/api/v1/users", "/api/v1/users".to_string()),
            ("/api/v1/proposals", "/api/v1/proposals".to_string()),
            (
                "/api/v1/households/{number}/proposals",
                format!("/api/v1/households/{h}/proposals"),
            ),
        ];
        for (path, uri) in reads {
            let r = get(&app, &uri, &cookie).await;
            assert_eq!(r.status, StatusCode::OK, "GET {uri}: {}", r.text);
            matches_schema(&spec, success_schema(&spec, path, "get"), &r.json, &uri);
        }
        let schema = success_schema(&spec, "/api/v1/applications", "post");
        matches_schema(&spec, schema, &created.json, "POST /api/v1/applications");
    });
}
