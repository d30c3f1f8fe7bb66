//! The public web pages, served by `serve` (server-rendered with askama templates, one small
//! stylesheet, no JavaScript): `GET /` (what the bot is, the five don'ts, links to the bot),
//! `GET|POST /kiem-tra` (paste a message or upload a screenshot, get the verdict card),
//! `GET /hoi?q=` (a handbook answer) and `GET|POST /nhung/kiem-tra` (the check page for a
//! department's portal to embed, framing allowed only for `CANHGIAC_EMBED_ORIGINS`).
//!
//! Nothing typed or uploaded is stored; the pages say so. Each client address may post a few
//! checks a minute (behind a reverse proxy on the same host, the proxy's `X-Forwarded-For`);
//! bodies are capped; every form carries a token only this server can make (CSRF).

mod console;
mod limit;
mod pages;

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, HeaderValue, header},
    routing::get,
};

pub use console::{IDLE_SECS, SESSION_SECS};
pub use limit::RateLimit;

use crate::bot::Engine;

/// Largest request body: an image (10 MB) and a message, with the form around them.
pub const MAX_BODY: usize = 10 * 1024 * 1024 + 64 * 1024;

/// The address of the client of a connection (added by the server to every request).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

/// What the pages need.
#[derive(Debug)]
pub struct Web {
    engine: Arc<Engine>,
    org: String,
    zalo_url: Option<String>,
    embed_origins: Vec<String>,
    secret: [u8; 32],
    limit: RateLimit,
    /// The session cookie is `Secure` (the public address is https).
    secure_cookie: bool,
}

impl Web {
    /// The pages over the engine; `embed_origins` may frame `/nhung/kiem-tra`.
    pub fn new(
        engine: Arc<Engine>,
        org: Option<String>,
        zalo_url: Option<String>,
        embed_origins: Vec<String>,
    ) -> Result<Self, String> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| format!("no secure random source: {e}"))?;
        Ok(Self {
            engine,
            org: org
                .filter(|o| !o.trim().is_empty())
                .unwrap_or_else(|| "Cảnh giác lừa đảo trực tuyến".into()),
            zalo_url,
            embed_origins,
            secret,
            limit: RateLimit::new(10, 20),
            secure_cookie: false,
        })
    }

    /// Behind `public_url`: the console's cookie is `Secure` when it is https.
    #[must_use]
    pub fn with_public_url(mut self, public_url: Option<&str>) -> Self {
        self.secure_cookie = public_url.is_some_and(|u| u.starts_with("https://"));
        self
    }

    /// The routes.
    pub fn router(self: Arc<Self>) -> Router {
        let frame = self.frame_ancestors();
        let embed = Router::new()
            .route("/nhung/kiem-tra", get(pages::embed_form).post(pages::embed_check))
            .layer(axum::middleware::from_fn(move |req, next| {
                let frame = frame.clone();
                async move { pages::secure_headers(req, next, &frame, false).await }
            }));
        let own = Router::new()
            .route("/", get(pages::index))
            .route("/kiem-tra", get(pages::check_form).post(pages::check))
            .route("/hoi", get(pages::ask))
            .layer(axum::middleware::from_fn(|req, next| async move {
                pages::secure_headers(req, next, "'none'", false).await
            }));
        let console = console::router().layer(axum::middleware::from_fn(|req, next| async move {
            pages::secure_headers(req, next, "'none'", true).await
        }));
        own.merge(embed)
            .merge(console)
            .route("/static/site.css", get(css))
            .route("/static/console.js", get(console::script))
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .with_state(self)
    }

    /// `frame-ancestors` for the embeddable page: the configured origins, else none.
    fn frame_ancestors(&self) -> String {
        if self.embed_origins.is_empty() { "'none'".into() } else { self.embed_origins.join(" ") }
    }
}

/// The stylesheet, compiled into the binary.
async fn css() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
            (HeaderName::from_static("x-content-type-options"), HeaderValue::from_static("nosniff")),
        ],
        include_str!("../../assets/web/site.css"),
    )
}

/// Parses `CANHGIAC_EMBED_ORIGINS`: comma-separated `https://host[:port]` origins.
pub fn parse_origins(s: &str) -> Result<Vec<String>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let url = reqwest::Url::parse(o).map_err(|_| format!("\"{o}\" không phải địa chỉ web"))?;
            let plain = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
            if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() || !plain {
                return Err(format!("\"{o}\" phải có dạng https://ten-mien (không có đường dẫn)"));
            }
            Ok(url.origin().ascii_serialization())
        })
        .collect()
}
