//! Errors answered as JSON `{"error": {"code", "message", "fields"}}` (API) or as a page, and the
//! JSON body extractor whose refusals answer in that shape too.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fupin_store::StoreError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

/// An error answered as JSON `{"error": {"code", "message"}}` (API) or as a page.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Field errors, for validation failures.
    pub fields: Vec<serde_json::Value>,
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A stable code, a message (Chinese / English) and, for invalid input, the fields at fault.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// Field errors, for invalid input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldError>)]
    pub fields: Vec<serde_json::Value>,
}

/// One bad field of a request (fupin-core's `input::FieldError`, or a store's row error).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FieldError {
    /// The field: `area_code`, `income.wage`, a member's `id_number`, …
    pub field: String,
    /// A stable code (`id_checksum`, `unknown_code`, `missing_field`, …).
    pub code: String,
    /// Chinese / English.
    pub message: String,
    /// The 1-based member the field belongs to.
    pub member: Option<usize>,
    pub household: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            fields: Vec::new(),
        }
    }
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "未找到 / not found")
    }
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "请先登录 / log in first",
        )
    }
    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "无权执行此操作 / not allowed for your role",
        )
    }
    pub fn csrf() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "缺少或错误的 CSRF 令牌 / missing or wrong CSRF token",
        )
    }
    pub fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
    /// The same error naming the field it is about (`fields`: `field`, `code`, `message`).
    pub fn with_field(mut self, field: &str, code: &str, message: &str) -> ApiError {
        self.fields
            .push(serde_json::json!({"field": field, "code": code, "message": message}));
        self
    }
    /// A validation failure (422) with its field errors.
    pub fn invalid(message: &str, fields: Vec<serde_json::Value>) -> ApiError {
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message);
        e.fields = fields;
        e
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let status = match &e {
            StoreError::NotFound(_) => StatusCode::NOT_FOUND,
            StoreError::Conflict { .. } => StatusCode::CONFLICT,
            StoreError::Rejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut err = ApiError::new(status, e.code(), e.to_string());
        if let StoreError::Rejected(row) = &e {
            err.fields.push(serde_json::json!({"field": row.column, "code": row.code, "message": format!("{} / {}", row.zh, row.en)}));
        }
        err
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                fields: self.fields,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// A JSON request body of type `T`; a body that is not JSON or not of the type answers as an
/// [`ApiError`] (code `invalid_json`, with axum's status: 400, 415 or 422).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(r) => Err(ApiError::new(
                r.status(),
                "invalid_json",
                format!(
                    "请求体有误 / the request body is invalid: {}",
                    r.body_text()
                ),
            )),
        }
    }
}
