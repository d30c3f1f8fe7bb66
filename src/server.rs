//! The HTTP layer: the routes every deployment has (`GET /healthz` liveness, `GET /readyz`
//! readiness, `GET /metrics`), merged with the webhook routes each channel contributes, and a
//! listener loop that holds under abuse: a connection limit, a timeout on request headers
//! (and, in the webhooks, on bodies), a lifetime cap per connection, and graceful shutdown.
//! It knows no channel: channels bring their own routes (see `app`).

use std::{future::Future, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tracing::{debug, warn};

use crate::metrics::Metrics;

/// How the listener protects itself.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Connections open at once; beyond it, new ones wait in the kernel's queue.
    pub max_connections: usize,
    /// Longest a client may take to send request headers (also between keep-alive requests).
    pub header_timeout: Duration,
    /// Longest a connection may stay open.
    pub max_lifetime: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            header_timeout: Duration::from_secs(5),
            max_lifetime: Duration::from_secs(120),
        }
    }
}

/// A readiness probe: `Ok` when the bot can take and answer updates, else why not.
pub type ReadyCheck =
    Arc<dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

#[derive(Clone)]
struct Base {
    metrics: Arc<Metrics>,
    ready: ReadyCheck,
}

async fn readyz(State(base): State<Base>) -> Response {
    match tokio::time::timeout(Duration::from_secs(3), (base.ready)()).await {
        Ok(Ok(())) => "ready\n".into_response(),
        Ok(Err(why)) => {
            warn!(reason = %why, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {why}\n")).into_response()
        }
        Err(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: the checks did not finish in 3 s\n").into_response()
        }
    }
}

/// `GET /the/{file}`: a card as PNG (`/the/tip_001.png`), for share links; drawn on first
/// request, then cached. Unknown names are 404.
pub fn cards_router(cards: Arc<crate::cards::Cards>) -> Router {
    async fn card(
        State(cards): State<Arc<crate::cards::Cards>>,
        axum::extract::Path(file): axum::extract::Path<String>,
    ) -> Response {
        let Some((id, format)) = cards.lookup(&file) else {
            return (StatusCode::NOT_FOUND, "không có thẻ này\n").into_response();
        };
        let c = cards.clone();
        match tokio::task::spawn_blocking(move || c.card(&id, format)).await {
            Ok(Ok(card)) => (
                [
                    (axum::http::header::CONTENT_TYPE, "image/png".to_owned()),
                    (axum::http::header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
                    (axum::http::header::ETAG, format!("\"{}\"", card.key.replace('/', "-"))),
                ],
                card.png.to_vec(),
            )
                .into_response(),
            Ok(Err(e)) => {
                warn!(error = %e, "a card could not be drawn");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
    Router::new().route("/the/{file}", get(card)).with_state(cards)
}

/// The routes every deployment has; `/metrics` too unless it is served on its own address
/// ([`metrics_router`]).
pub fn base_router(metrics: Arc<Metrics>, ready: ReadyCheck, with_metrics: bool) -> Router {
    let r = Router::new().route("/healthz", get(|| async { "ok\n" })).route("/readyz", get(readyz));
    let r = if with_metrics { r.route("/metrics", get(render_metrics)) } else { r };
    r.with_state(Base { metrics, ready })
}

async fn render_metrics(State(base): State<Base>) -> String {
    base.metrics.render()
}

/// `/metrics` alone, for a private address (`CANHGIAC_METRICS_LISTEN`).
pub fn metrics_router(metrics: Arc<Metrics>, ready: ReadyCheck) -> Router {
    Router::new()
        .route("/metrics", get(render_metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .with_state(Base { metrics, ready })
}

/// Serves `router` on `listener` until `stop` resolves, then lets open requests finish (up
/// to 5 s).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    stop: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before accept: wait a
                    // little instead of spinning.
                    warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let (stream, peer) = stream;
        let _ = stream.set_nodelay(true);
        // Each request knows its client's address (the public pages limit per address).
        let service = tower::ServiceExt::map_request(
            router.clone(),
            move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(crate::web::ClientAddr(peer));
                req
            },
        );
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        let lifetime = limits.max_lifetime;
        tokio::spawn(async move {
            match tokio::time::timeout(lifetime, conn).await {
                Ok(Err(e)) => debug!(error = %e, "connection ended with an error"),
                Err(_) => debug!("connection closed at its lifetime cap"),
                Ok(Ok(())) => {}
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use tower::ServiceExt;

    use super::*;

    fn router(ready: Result<(), String>) -> Router {
        let check: ReadyCheck = Arc::new(move || {
            let r = ready.clone();
            Box::pin(async move { r })
        });
        base_router(Arc::new(Metrics::default()), check, true)
    }

    async fn get(r: Router, path: &str) -> (StatusCode, String) {
        let resp =
            r.oneshot(axum::http::Request::get(path).body(Body::empty()).expect("req")).await.expect("resp");
        let status = resp.status();
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16).await.expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn liveness_readiness_and_metrics() {
        assert_eq!(get(router(Ok(())), "/healthz").await.0, StatusCode::OK);
        assert_eq!(get(router(Ok(())), "/readyz").await, (StatusCode::OK, "ready\n".into()));
        let (status, body) = get(router(Err("database is read-only".into())), "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("database is read-only"));
        assert!(get(router(Ok(())), "/metrics").await.1.contains("canhgiac_webhook_rejected_total 0"));
        assert_eq!(get(router(Ok(())), "/nope").await.0, StatusCode::NOT_FOUND);
    }
}
