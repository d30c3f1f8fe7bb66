//! The composition root of `serve`: [`App::build`] wires the engine, the channels that are
//! configured, the update pipeline, the campaign worker and the HTTP routes onto a listener
//! the caller has bound (the binary binds `CANHGIAC_LISTEN`; tests and benches bind port 0),
//! and [`App::run`] runs it all until a stop signal, then drains: the HTTP server stops
//! taking requests, polling stops, updates in flight finish (up to a deadline; the rest stay
//! in the inbox for the next start), the campaign worker settles what it sent.

use std::{future::Future, net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use thiserror::Error;
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};
use tracing::{info, warn};

use crate::{
    bot::Engine,
    campaign::{ChannelLimits, Worker},
    channels::{
        telegram::Telegram,
        zalo::{Zalo, ZaloSettings},
    },
    config::Config,
    metrics::Metrics,
    model::{Channel, retention::Retention},
    pipeline::{Handler, Intake, Limits, Pipeline, Writer},
    reports::{
        MemoryRegister,
        lists::{Lists, Refreshed},
    },
    server::{self, HttpLimits, ReadyCheck},
    store::{Store, StoreError},
};

/// How long shutdown waits for updates in flight.
pub const DRAIN_DEADLINE: Duration = Duration::from_secs(10);

/// Why the app could not start.
#[derive(Debug, Error)]
pub enum AppError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The inbox could not be opened.
    #[error(transparent)]
    Intake(#[from] crate::pipeline::IntakeError),
    /// A channel could not be set up (bad token, API unreachable…).
    #[error("{0}")]
    Channel(String),
    /// The listener's address could not be read.
    #[error("listener: {0}")]
    Listener(#[from] std::io::Error),
}

/// A built app, ready to run.
pub struct App {
    addr: SocketAddr,
    listener: TcpListener,
    router: axum::Router,
    http: HttpLimits,
    metrics: Arc<Metrics>,
    pipeline: Pipeline,
    writer: Writer,
    stop_tx: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    worker: JoinHandle<()>,
    /// `/metrics` on its own address, when configured.
    metrics_server: Option<(TcpListener, axum::Router)>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// The webhook secret: configured, or 32 random bytes from the operating system's CSPRNG,
/// generated once and kept in the store.
pub fn webhook_secret(cfg: &Config, store: &Store) -> Result<String, AppError> {
    if let Some(s) = &cfg.telegram_webhook_secret {
        return Ok(s.expose().to_owned());
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Channel(format!("no secure random source: {e}")))?;
    // Stored only if none was: two starts never end up with different secrets.
    Ok(store.kv_get_or_insert("telegram_webhook_secret", &hex::encode(bytes))?)
}

/// The database file the inbox shares with the store.
fn database_file(cfg: &Config, store: &Store) -> Result<PathBuf, AppError> {
    if let Some(p) = store.path() {
        return Ok(p.to_path_buf());
    }
    // An in-memory store (tests): the inbox still goes to a file in the data directory.
    let file = Store::open(&cfg.data_dir)?;
    Ok(file.path().map_or_else(|| cfg.data_dir.join("canhgiac.sqlite3"), std::path::Path::to_path_buf))
}

impl App {
    /// Wires everything onto `listener`.
    pub async fn build(cfg: Config, engine: Arc<Engine>, listener: TcpListener) -> Result<Self, AppError> {
        let addr = listener.local_addr()?;
        let metrics = Arc::new(Metrics::default());
        // The whole-file check runs once here, at the start of `serve`, not on every open.
        engine.store().warn_if_damaged()?;
        let (intake, writer, pending) = Intake::open(&database_file(&cfg, engine.store())?)?;
        let pipeline = Pipeline::new(intake.clone(), Limits::default(), metrics.clone());
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut router = axum::Router::new();
        let mut tasks = Vec::new();
        let mut telegram = None;
        match &cfg.telegram_bot_token {
            None => info!("Telegram: off. To turn it on, set TELEGRAM_BOT_TOKEN (from @BotFather)."),
            Some(token) => {
                let tg = Arc::new(
                    Telegram::connect(token.expose(), &cfg.telegram_api_url, engine.clone(), metrics.clone())
                        .await
                        .map_err(|e| AppError::Channel(e.to_string()))?,
                );
                tasks.push(tokio::spawn(tg.clone().run_group_quizzes(stop_rx.clone())));
                if let Some(public) = &cfg.public_url {
                    let secret = webhook_secret(&cfg, engine.store())?;
                    let url = format!("{}/webhooks/telegram", public.trim_end_matches('/'));
                    tg.set_webhook(&url, &secret).await.map_err(|e| AppError::Channel(e.to_string()))?;
                    info!(url = %url, "Telegram: webhook mode");
                    router = router.merge(tg.webhook_router(secret, pipeline.clone()));
                } else {
                    info!("Telegram: long polling (set CANHGIAC_PUBLIC_URL for webhook mode)");
                    tasks.push(tokio::spawn(tg.clone().poll(pipeline.clone(), stop_rx.clone())));
                }
                telegram = Some(tg);
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
                let z = Arc::new(
                    Zalo::new(settings, engine.clone(), engine.store().clone(), metrics.clone())
                        .map_err(|e| AppError::Channel(e.to_string()))?,
                );
                router = router.merge(z.webhook_router(pipeline.clone()));
                Some(z)
            }
        };
        // Updates acknowledged before a crash and never handled go first.
        if !pending.is_empty() {
            info!(updates = pending.len(), "handling updates accepted before the last stop");
        }
        let (tg, z) = (telegram.clone(), zalo.clone());
        pipeline.replay(pending, move |c| match c {
            Channel::Telegram => tg.clone().map(|t| t as Arc<dyn Handler>),
            Channel::Zalo => z.clone().map(|z| z as Arc<dyn Handler>),
            Channel::Console => None,
        });
        tasks.push(tokio::spawn(purge_daily(
            engine.store().clone(),
            engine.register().clone(),
            cfg.retention,
            stop_rx.clone(),
        )));
        tasks.push(tokio::spawn(sync_register(
            engine.store().clone(),
            engine.register().clone(),
            stop_rx.clone(),
        )));
        if !cfg.lists.is_empty() {
            let every = Duration::from_secs(u64::from(cfg.lists_refresh_hours) * 3600);
            tasks.push(tokio::spawn(refresh_lists(
                crate::assemble::imported_lists(&cfg),
                engine.register().clone(),
                metrics.clone(),
                every,
                stop_rx.clone(),
            )));
        }
        let worker = campaign_worker(&cfg, &engine, telegram, zalo);
        let worker = tokio::spawn(worker.run(stop_rx));
        if let Some(cards) = engine.campaign().cards() {
            router = router.merge(server::cards_router(cards.clone()));
        }
        if cfg.web {
            let web = crate::web::Web::new(
                engine.clone(),
                cfg.org_name.clone(),
                cfg.zalo_oa_url.clone(),
                cfg.embed_origins.clone(),
            )
            .map_err(AppError::Channel)?
            .with_public_url(cfg.public_url.as_deref());
            router = router.merge(Arc::new(web).router());
        }
        let ready = ready_check(engine, intake);
        let metrics_server = match &cfg.metrics_listen {
            Some(private) => {
                let l = TcpListener::bind(private).await?;
                info!(addr = %l.local_addr()?, "metrics listening (/metrics) on their own address");
                Some((l, server::metrics_router(metrics.clone(), ready.clone())))
            }
            None => None,
        };
        let router = server::base_router(metrics.clone(), ready, metrics_server.is_none()).merge(router);
        info!(addr = %addr, "HTTP server listening (/healthz, /readyz, /metrics unless on their own address)");
        Ok(Self {
            addr,
            listener,
            router,
            http: HttpLimits::default(),
            metrics,
            pipeline,
            writer,
            stop_tx,
            tasks,
            worker,
            metrics_server,
        })
    }

    /// The address it listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The private address `/metrics` is served on, when `CANHGIAC_METRICS_LISTEN` is set.
    #[must_use]
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_server.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    /// Its counters.
    #[must_use]
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// With other listener limits.
    #[must_use]
    pub fn with_http_limits(mut self, limits: HttpLimits) -> Self {
        self.http = limits;
        self
    }

    /// Runs until `stop` resolves, then drains.
    pub async fn run(self, stop: impl Future<Output = ()> + Send) {
        let Self { listener, router, http, pipeline, writer, stop_tx, tasks, worker, metrics_server, .. } =
            self;
        let metrics_task = metrics_server.map(|(l, r)| {
            let mut rx = stop_tx.subscribe();
            tokio::spawn(server::serve(l, r, http, async move {
                let _ = rx.wait_for(|stop| *stop).await;
            }))
        });
        server::serve(listener, router, http, stop).await;
        let _ = stop_tx.send(true);
        if let Some(t) = metrics_task {
            let _ = t.await;
        }
        for task in tasks {
            let _ = task.await;
        }
        let waiting = pipeline.dispatcher.waiting();
        if pipeline.dispatcher.drain(DRAIN_DEADLINE).await {
            info!(updates = waiting, "updates in flight finished");
        } else {
            warn!(
                left = pipeline.dispatcher.waiting(),
                "shutdown deadline reached; unfinished updates stay in the inbox for the next start"
            );
        }
        drop(pipeline);
        writer.finish().await;
        // Messages in flight finish and are settled; the rest stay queued for the next start.
        let _ = worker.await;
        info!("stopped");
    }
}

/// `/readyz`: the store takes a write, the inbox takes a transaction, the engine answers.
fn ready_check(engine: Arc<Engine>, intake: Intake) -> ReadyCheck {
    Arc::new(move || {
        let (engine, intake) = (engine.clone(), intake.clone());
        Box::pin(async move {
            let e = engine.clone();
            tokio::task::spawn_blocking(move || e.self_test())
                .await
                .map_err(|e| format!("engine task: {e}"))?
                .map_err(|e| e.to_string())?;
            intake.probe().await.map_err(|e| e.to_string())
        })
    })
}

/// Keeps the register of reported entities in step with decisions made by another process
/// (`canhgiac reports approve`), every [`REGISTER_SYNC`], until `stop`.
async fn sync_register(store: Arc<Store>, register: Arc<MemoryRegister>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(REGISTER_SYNC) => {}
            _ = stop.changed() => return,
        }
        let (s, r) = (store.clone(), register.clone());
        match tokio::task::spawn_blocking(move || r.sync(&s)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => info!(entities = n, "register: reports or decisions from elsewhere read"),
            Ok(Err(e)) => warn!(error = %e, "register sync failed; it runs again shortly"),
            Err(e) => warn!(error = %e, "register sync task failed"),
        }
    }
}

/// The imported scam lists: the stored copies at once (a restart works offline), then every
/// `every` each URL list is fetched if it changed; the register swaps in the new entries. A
/// failed fetch keeps the last good copy, is logged and counted.
async fn refresh_lists(
    lists: Lists,
    register: Arc<MemoryRegister>,
    metrics: Arc<Metrics>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let load = |lists: &Lists, register: &Arc<MemoryRegister>| {
        let (l, r) = (lists.clone(), register.clone());
        tokio::task::spawn_blocking(move || {
            r.set_listed(l.entries());
            r.listed_len()
        })
    };
    match load(&lists, &register).await {
        Ok(n) => info!(entries = n, lists = lists.sources().len(), "imported scam lists loaded"),
        Err(e) => warn!(error = %e, "imported scam lists could not be loaded"),
    }
    loop {
        let mut changed = false;
        for s in lists.sources() {
            match lists.refresh(s).await {
                Refreshed::Updated => {
                    metrics.inc(&metrics.list_updates);
                    info!(list = %s.name(), "imported scam list updated");
                    changed = true;
                }
                Refreshed::NotModified | Refreshed::File => {}
                Refreshed::Failed(e) => {
                    metrics.inc(&metrics.list_failures);
                    warn!(list = %s.name(), error = %e, "imported scam list not refreshed; the last good copy stays");
                }
            }
        }
        if changed {
            match load(&lists, &register).await {
                Ok(n) => info!(entries = n, "imported scam lists swapped in"),
                Err(e) => warn!(error = %e, "imported scam lists could not be loaded"),
            }
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// How often the register looks for decisions made elsewhere.
pub const REGISTER_SYNC: Duration = Duration::from_secs(5);

/// The retention purge: at start, then once a day, until `stop`.
async fn purge_daily(
    store: Arc<Store>,
    register: Arc<MemoryRegister>,
    retention: Retention,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let (s, r) = (store.clone(), register.clone());
        let purged = tokio::task::spawn_blocking(move || {
            let p = s.purge(&retention, crate::store::now())?;
            if p.reports > 0 {
                r.reload(&s)?;
            }
            Ok::<_, crate::store::StoreError>(p)
        })
        .await;
        match purged {
            Ok(Ok(p)) if p.is_empty() => info!("retention purge: nothing due"),
            Ok(Ok(p)) => info!(
                last_contact = p.last_contact,
                quiz_progress = p.quiz_progress,
                quiz_results = p.quiz_results,
                participants = p.participants,
                deliveries = p.deliveries,
                reports = p.reports,
                "retention purge: deleted what was due"
            ),
            Ok(Err(e)) => tracing::error!(error = %e, "retention purge failed; it runs again in a day"),
            Err(e) => tracing::error!(error = %e, "retention purge task failed"),
        }
        tokio::select! {
            () = tokio::time::sleep(PURGE_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// How often the retention purge runs.
const PURGE_EVERY: Duration = Duration::from_secs(24 * 3600);

/// The campaign worker over the channels that are on.
fn campaign_worker(
    cfg: &Config,
    engine: &Arc<Engine>,
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

/// Binds `CANHGIAC_LISTEN`, builds the app and runs it until `stop` (the binary's `serve`).
pub async fn serve(
    cfg: Config,
    engine: Arc<Engine>,
    stop: impl Future<Output = ()> + Send,
) -> Result<(), AppError> {
    let listener = TcpListener::bind(&cfg.listen).await?;
    App::build(cfg, engine, listener).await?.run(stop).await;
    Ok(())
}
