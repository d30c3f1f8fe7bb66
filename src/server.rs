//! The HTTP server: `GET /healthz`, `GET /metrics` (Prometheus text), and
//! `POST /webhooks/telegram` (when a public URL is set) with the secret token checked on every
//! request. Also `serve`: the one tokio runtime with the server and the channels.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use anyhow::{Context, Result};
use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use sha2::{Digest, Sha256};
use tokio::sync::watch;
use tracing::{info, warn};

use crate::{
    campaign::{ChannelLimits, Worker},
    channels::{
        telegram::Telegram,
        zalo::{Zalo, ZaloSettings},
    },
    config::Config,
};

/// Counters exported at `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Updates received.
    pub updates: AtomicU64,
    /// Duplicate updates dropped.
    pub duplicates: AtomicU64,
    /// Messages sent.
    pub replies: AtomicU64,
    /// Failures.
    pub errors: AtomicU64,
    /// Webhook requests rejected (bad secret or body).
    pub rejected: AtomicU64,
    /// Campaign messages (tips, alerts) delivered.
    pub broadcast_sent: AtomicU64,
}

impl Metrics {
    /// Adds one.
    pub fn inc(&self, c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    fn render(&self) -> String {
        let mut s = String::new();
        for (name, help, c) in [
            ("canhgiac_updates_total", "Updates received from chat platforms.", &self.updates),
            ("canhgiac_duplicate_updates_total", "Duplicate updates dropped.", &self.duplicates),
            ("canhgiac_replies_total", "Messages sent to users.", &self.replies),
            ("canhgiac_errors_total", "Failures while handling updates.", &self.errors),
            ("canhgiac_webhook_rejected_total", "Webhook requests rejected.", &self.rejected),
            (
                "canhgiac_broadcast_sent_total",
                "Campaign messages (tips, alerts) delivered.",
                &self.broadcast_sent,
            ),
        ] {
            s.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
                c.load(Ordering::Relaxed)
            ));
        }
        s
    }
}

/// Shared state of the routes.
#[derive(Clone)]
pub struct AppState {
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// The Telegram channel in webhook mode, with its secret.
    pub telegram: Option<(Arc<Telegram>, String)>,
    /// The Zalo channel.
    pub zalo: Option<Arc<Zalo>>,
}

/// Largest webhook body accepted (Zalo events are a few hundred bytes).
pub const MAX_WEBHOOK_BODY: usize = 64 * 1024;

async fn zalo_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(zalo) = state.zalo.clone() else { return StatusCode::NOT_FOUND };
    let event: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            state.metrics.inc(&state.metrics.rejected);
            warn!(error = %e, bytes = body.len(), "zalo webhook: malformed JSON");
            return StatusCode::BAD_REQUEST;
        }
    };
    let timestamp = crate::channels::zalo::as_string(&event["timestamp"]).unwrap_or_default();
    let signature = headers.get("x-zevent-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    if signature.is_empty() || !zalo.verify(signature, &body, &timestamp) {
        state.metrics.inc(&state.metrics.rejected);
        warn!(present = !signature.is_empty(), "zalo webhook: bad or missing X-ZEvent-Signature");
        return StatusCode::UNAUTHORIZED;
    }
    // Answer at once (Zalo wants 200 within 2 s); the work happens in the background.
    tokio::spawn(async move { zalo.handle_event(event).await });
    StatusCode::OK
}

async fn telegram_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some((tg, secret)) = state.telegram.clone() else { return StatusCode::NOT_FOUND };
    let given = headers.get("x-telegram-bot-api-secret-token").map(|v| v.as_bytes()).unwrap_or_default();
    if !crate::channels::constant_time_eq(given, secret.as_bytes()) {
        state.metrics.inc(&state.metrics.rejected);
        warn!(present = !given.is_empty(), "telegram webhook: wrong or missing secret token");
        return StatusCode::UNAUTHORIZED;
    }
    let update: teloxide::types::Update = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => {
            state.metrics.inc(&state.metrics.rejected);
            warn!(error = %e, bytes = body.len(), "telegram webhook: malformed update");
            return StatusCode::BAD_REQUEST;
        }
    };
    tokio::spawn(async move { tg.handle_update(update).await });
    StatusCode::OK
}

/// The router.
pub fn router(state: AppState) -> Router {
    let metrics = state.metrics.clone();
    let mut r = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(move || async move { metrics.render() }));
    if state.telegram.is_some() {
        r = r.route("/webhooks/telegram", post(telegram_webhook));
    }
    if state.zalo.is_some() {
        r = r.route("/webhooks/zalo", post(zalo_webhook));
    }
    r.layer(axum::extract::DefaultBodyLimit::max(MAX_WEBHOOK_BODY)).with_state(state)
}

/// The webhook secret: configured, or generated once and kept in the store.
pub fn webhook_secret(cfg: &Config, store: &crate::store::Store) -> Result<String> {
    if let Some(s) = &cfg.telegram_webhook_secret {
        return Ok(s.expose().to_owned());
    }
    if let Some(s) = store.kv_get("telegram_webhook_secret")? {
        return Ok(s);
    }
    let mut h = Sha256::new();
    h.update(format!("{:?}{}", std::time::SystemTime::now(), std::process::id()).as_bytes());
    h.update(cfg.data_dir.display().to_string().as_bytes());
    let secret = hex::encode(h.finalize());
    store.kv_set("telegram_webhook_secret", &secret)?;
    Ok(secret)
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

/// The campaign worker over the channels that are on.
fn campaign_worker(
    cfg: &Config,
    engine: &Arc<crate::bot::Engine>,
    telegram: Option<Arc<Telegram>>,
    zalo: Option<Arc<Zalo>>,
) -> Worker {
    let mut worker = Worker::new(engine.campaign().clone()).wake_on(engine.waker());
    if let Some(tg) = telegram {
        worker = worker.channel(tg, ChannelLimits::telegram(f64::from(cfg.broadcast_rate)));
    }
    if let Some(z) = zalo {
        worker = worker.channel(z, ChannelLimits::zalo(f64::from(cfg.broadcast_rate), cfg.zalo_daily_cap));
    }
    info!(
        schedule = %engine.campaign().schedule().describe(),
        rate = cfg.broadcast_rate,
        "campaign worker: weekly tips and broadcasts"
    );
    worker
}

/// Runs the server and the channels until `stop` resolves.
pub async fn serve(
    cfg: Config,
    engine: Arc<crate::bot::Engine>,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let metrics = Arc::new(Metrics::default());
    let (tx, rx) = watch::channel(false);
    let mut telegram_state = None;
    let mut poller = None;
    let mut tg_sender: Option<Arc<Telegram>> = None;
    let mut quiz_clock = None;
    match &cfg.telegram_bot_token {
        None => info!("Telegram: off. To turn it on, set TELEGRAM_BOT_TOKEN (from @BotFather)."),
        Some(token) => {
            let tg = Arc::new(
                Telegram::connect(token.expose(), &cfg.telegram_api_url, engine.clone(), metrics.clone())
                    .await?,
            );
            tg_sender = Some(tg.clone());
            quiz_clock = Some(tokio::spawn(tg.clone().run_group_quizzes(rx.clone())));
            if let Some(public) = &cfg.public_url {
                let secret = webhook_secret(&cfg, engine.store())?;
                let url = format!("{}/webhooks/telegram", public.trim_end_matches('/'));
                tg.set_webhook(&url, &secret).await?;
                info!(url = %url, "Telegram: webhook mode");
                telegram_state = Some((tg, secret));
            } else {
                info!("Telegram: long polling (set CANHGIAC_PUBLIC_URL for webhook mode)");
                poller = Some(tokio::spawn(tg.poll(rx.clone())));
            }
        }
    }
    let zalo = match ZaloSettings::from_config(&cfg) {
        None => {
            info!(
                "Zalo: off. To turn it on, set ZALO_APP_ID, ZALO_APP_SECRET, ZALO_OA_SECRET_KEY and the tokens."
            );
            None
        }
        Some(settings) => {
            info!("Zalo: on, webhook at /webhooks/zalo (set it in the Zalo app's webhook settings)");
            Some(Arc::new(Zalo::new(settings, engine.clone(), metrics.clone())?))
        }
    };
    let worker = campaign_worker(&cfg, &engine, tg_sender, zalo.clone());
    let worker = tokio::spawn(worker.run(rx.clone()));
    let app = router(AppState { metrics, telegram: telegram_state, zalo });
    let addr: SocketAddr =
        cfg.listen.parse().with_context(|| format!("invalid CANHGIAC_LISTEN {}", cfg.listen))?;
    let listener =
        tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    info!(addr = %listener.local_addr().map_or(addr, |a| a), "HTTP server listening (/healthz, /metrics)");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            stop.await;
            let _ = tx.send(true);
        })
        .await
        .context("HTTP server failed")?;
    for task in [poller, quiz_clock].into_iter().flatten() {
        let _ = task.await;
    }
    // Messages in flight finish and are settled; the rest stay queued for the next start.
    let _ = worker.await;
    info!("stopped");
    Ok(())
}
