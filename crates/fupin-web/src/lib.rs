//! fupin-web: the JSON API (`/api/v1`, documented at `/api/openapi.json`) and the server-rendered
//! pages a county office works in.
//!
//! One capability per folder (`registry/`, `applications/`, `proposals/`, `accounts/`), each with `service.rs`
//! (the operations, scoped and authorised), `api.rs` (JSON handlers) and `pages.rs` (pages).
//! Handlers take a [`Session`] or [`WriteSession`] (API) or a [`render::Page`] /
//! [`render::FormWrite`] (pages); every read and write is scoped through
//! [`AppState::household_for`] and [`AppState::area_for`], and every permission is decided by
//! [`authz`]: an out-of-area record answers 404.

#![forbid(unsafe_code)]

pub mod accounts;
pub mod applications;
pub mod assets;
pub mod assistance;
pub mod auth;
pub mod authz;
pub mod charts;
pub mod error;
pub mod funds;
pub mod i18n;
pub mod log;
pub mod middleware;
pub mod monitoring;
pub mod names;
pub mod openapi;
pub mod privacy;
pub mod proposals;
pub mod qr;
pub mod registry;
pub mod render;
pub mod responsibility;
pub mod session;
pub mod state;

pub use error::{ApiError, JsonBody};
pub use session::{
    cookie, lang, Session, WriteSession, LANG_COOKIE, PRE_COOKIE, SESSION_COOKIE, SESSION_IDLE,
};
pub use state::{scope_of, AppState, Dashboard, DASHBOARD_TTL};

use axum::routing::{get, MethodRouter};
use axum::Router;
use std::sync::Arc;

/// Records the routes of the API while building the router, so that a test can check each is
/// documented in the OpenAPI document.
pub struct Routes {
    router: Router<Arc<AppState>>,
    pub api: Vec<(String, String)>,
}

impl Routes {
    fn api(mut self, path: &str, methods: &[&str], handler: MethodRouter<Arc<AppState>>) -> Routes {
        for m in methods {
            self.api.push((m.to_string(), path.to_string()));
        }
        self.router = self.router.route(path, handler);
        self
    }
}

/// The whole application's routes; `api` lists (method, path) of every JSON API route.
pub fn routes() -> Routes {
    let r = Routes {
        router: Router::new(),
        api: Vec::new(),
    };
    let r = accounts::api::register(r);
    let r = registry::api::register(r);
    let r = applications::api::register(r);
    let r = proposals::api::register(r);
    let r = assistance::api::register(r);
    let r = funds::api::register(r);
    let r = responsibility::api::register(r);
    let r = monitoring::api::register(r);
    let pages = accounts::pages::register(r.router);
    let pages = registry::pages::register(pages);
    let pages = proposals::pages::register(pages);
    let pages = assistance::pages::register(pages);
    let pages = funds::pages::register(pages);
    let pages = responsibility::pages::register(pages);
    let pages = monitoring::pages::register(pages);
    let router = applications::pages::register(pages)
        .route("/static/{name}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/docs", get(openapi::docs_page))
        .fallback(middleware::fallback)
        .layer(axum::middleware::from_fn(middleware::harden));
    Routes { router, api: r.api }
}

/// The application as a service.
pub fn app(state: Arc<AppState>) -> Router {
    routes().router.with_state(state).layer(compression())
}

/// gzip or brotli, as the browser accepts, for pages, JSON and static files above 1 KiB (not the
/// fonts: woff2 is compressed already).
fn compression(
) -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    use tower_http::compression::{CompressionLayer, DefaultPredicate};
    let p = DefaultPredicate::new()
        .and(SizeAbove::new(1024))
        .and(NotForContentType::const_new("font/"));
    CompressionLayer::new().compress_when(p)
}

/// Serves on `listen` until the process ends.
pub async fn serve(state: Arc<AppState>, listen: &str) -> std::io::Result<()> {
    serve_on(state, tokio::net::TcpListener::bind(listen).await?).await
}

/// Serves on a bound listener (tests bind port 0).
pub async fn serve_on(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).await
}
