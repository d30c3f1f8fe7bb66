//! Helpers shared by the black-box tests: the real content, an index in a temporary directory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly
#![allow(dead_code)]

use std::{path::PathBuf, sync::Arc};

use canhgiac::{content, search};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn content() -> Arc<content::Content> {
    Arc::new(content::load(&root().join("content")).unwrap_or_else(|e| panic!("{e}")))
}

/// A searcher over the real content with its index built in a fresh temporary directory.
pub fn searcher() -> (search::Searcher, tempfile::TempDir) {
    let content = content();
    let dir = tempfile::tempdir().expect("tempdir");
    let index = search::open_or_build(&content, dir.path()).expect("index");
    (search::Searcher::new(content, index).expect("searcher"), dir)
}

/// The dev questions: (expected id or "none", question).
pub fn dev_questions() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("tests/data/dev_questions.tsv")).expect("dev set");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (id, q) = l.split_once('\t').expect("id<TAB>question");
            (id.to_owned(), q.to_owned())
        })
        .collect()
}

/// `../shared/datasets` beside the repository, when present. CI always has it; a developer
/// without it gets a skipped test with a message (and CI fails loudly if it is missing).
pub fn datasets() -> Option<PathBuf> {
    let dir = root().join("../shared/datasets");
    if dir.join("ie403_vi_smishing/dev.csv").exists() {
        Some(dir)
    } else if std::env::var_os("CI").is_some() {
        panic!("../shared/datasets is missing in CI");
    } else {
        eprintln!("skipped: ../shared/datasets not found");
        None
    }
}

/// The scam checker over the real content, with the search index for the closest forms.
pub fn checker() -> (canhgiac::check::Checker, tempfile::TempDir) {
    let (searcher, dir) = searcher();
    let content = searcher.content().clone();
    let c =
        canhgiac::check::Checker::new(content, canhgiac::check::Blocklist::new(), Some(Arc::new(searcher)))
            .expect("checker");
    (c, dir)
}

/// The conversation engine over the real content with an in-memory (or given) store.
pub fn engine_with(store: Arc<canhgiac::store::Store>) -> (canhgiac::bot::Engine, tempfile::TempDir) {
    let (searcher, dir) = searcher();
    let searcher = Arc::new(searcher);
    let content = searcher.content().clone();
    let register = Arc::new(canhgiac::reports::MemoryRegister::load(&store).expect("register"));
    let checker = Arc::new(
        canhgiac::check::Checker::new(
            content.clone(),
            canhgiac::check::Blocklist::new(),
            Some(searcher.clone()),
        )
        .expect("checker")
        .with_register(register.clone()),
    );
    (canhgiac::bot::Engine::new(content, searcher, checker, store).with_register(register), dir)
}

/// Settings for `serve` with Telegram on (token `123:TEST`) against the fake Bot API at
/// `api_url`, the database in `data`.
pub fn telegram_config(api_url: &str, data: &std::path::Path) -> canhgiac::config::Config {
    let mut cfg = canhgiac::config::Config::load_with(None, |_| None).expect("config");
    cfg.telegram_bot_token = Some(canhgiac::config::Secret::new("123:TEST"));
    cfg.telegram_api_url = api_url.to_owned();
    cfg.data_dir = data.to_path_buf();
    cfg
}

/// A running `serve` in this process (on a port the OS chose).
pub struct Served {
    /// Fire to stop it.
    pub stop: tokio::sync::oneshot::Sender<()>,
    /// Ends when it has drained.
    pub task: tokio::task::JoinHandle<()>,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

/// Builds the app on 127.0.0.1:0 and runs it until `stop` fires.
pub async fn spawn_serve(cfg: canhgiac::config::Config, engine: canhgiac::bot::Engine) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let app = canhgiac::app::App::build(cfg, Arc::new(engine), listener).await.expect("build");
    let addr = app.addr().to_string();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run(async move {
        let _ = rx.await;
    }));
    Served { stop, task, addr }
}

/// A free TCP port on 127.0.0.1 (only for a child process that binds it itself).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

impl Served {
    /// Stops it and waits (up to `secs`) until it has drained.
    pub async fn shutdown(self, secs: u64) {
        let _ = self.stop.send(());
        tokio::time::timeout(std::time::Duration::from_secs(secs), self.task)
            .await
            .expect("graceful stop")
            .expect("join");
    }
}

/// The one CLI helper: the real binary with its content, index under `dir/index`, data
/// under `dir/data`, run in `dir`, with no channel configured and no log filter inherited.
pub fn cli(dir: &std::path::Path) -> std::process::Command {
    cli_with(&dir.join("index"), &root().join("content"), dir)
}

/// [`cli`] with an explicit index and content directory (tests of the index itself).
pub fn cli_with(
    index: &std::path::Path,
    content: &std::path::Path,
    dir: &std::path::Path,
) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_canhgiac"));
    c.env("CANHGIAC_INDEX_DIR", index)
        .env("CANHGIAC_DATA_DIR", dir.join("data"))
        .env("CANHGIAC_CONTENT_DIR", content)
        .env_remove("TELEGRAM_BOT_TOKEN")
        .env_remove("ZALO_APP_ID")
        .env_remove("CANHGIAC_PUBLIC_URL")
        .env_remove("CANHGIAC_BLOCKLISTS")
        .env_remove("RUST_LOG")
        .current_dir(dir);
    c
}

/// The one Telegram update builder (Bot API JSON as Telegram sends it).
pub mod tg {
    use serde_json::{Value, json};

    /// A user.
    pub fn user(id: i64) -> Value {
        json!({"id": id, "is_bot": false, "first_name": "Lan", "language_code": "vi"})
    }

    /// A private chat.
    pub fn private(id: i64) -> Value {
        json!({"id": id, "type": "private", "first_name": "Lan"})
    }

    /// A (basic) group.
    pub fn group(id: i64, title: &str) -> Value {
        json!({"id": id, "type": "group", "title": title})
    }

    /// A text message (a leading `/command` gets its entity, as Telegram marks it).
    pub fn text(update_id: i64, chat: Value, from: i64, text: &str) -> Value {
        let mut msg = json!({"message_id": update_id * 10, "date": 1_700_000_000, "chat": chat, "from": user(from), "text": text});
        if text.starts_with('/') {
            let len = text.split_whitespace().next().map_or(0, |w| w.encode_utf16().count());
            msg["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
        }
        json!({"update_id": update_id, "message": msg})
    }

    /// A button press in `chat`.
    pub fn press(update_id: i64, chat: Value, from: i64, data: &str) -> Value {
        json!({"update_id": update_id, "callback_query": {"id": format!("cb{update_id}"), "from": user(from),
            "chat_instance": "ci", "data": data,
            "message": {"message_id": 5, "date": 1_700_000_000, "chat": chat, "text": "x"}}})
    }
}

/// `canhgiac serve` as a child process (the real binary) with Telegram on against the fake at
/// `api_url`, its database in `data`, its index in `index`, logging at info into `log`; the
/// caller adds the listen address and anything else, then spawns it.
pub fn serve_command(
    api_url: &str,
    data: &std::path::Path,
    index: &std::path::Path,
    log: &std::path::Path,
) -> std::process::Command {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("log file");
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_canhgiac"));
    c.arg("serve")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TELEGRAM_BOT_TOKEN", "123:TEST")
        .env("CANHGIAC_TELEGRAM_API_URL", api_url)
        .env("CANHGIAC_DATA_DIR", data)
        .env("CANHGIAC_INDEX_DIR", index)
        .env("CANHGIAC_CONTENT_DIR", root().join("content"))
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(log);
    c
}

/// Waits (polling every 50 ms, up to `secs`) until `f` holds, or fails with `what` and the
/// server's log.
pub async fn until(what: &str, secs: u64, log: &std::path::Path, mut f: impl FnMut() -> bool) {
    for _ in 0..secs * 20 {
        if f() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}; server log:\n{}", std::fs::read_to_string(log).unwrap_or_default());
}

/// Records that a user agreed to the privacy notice the test engines use (the default one),
/// as pressing "Đồng ý" would.
pub fn agree(store: &canhgiac::store::Store, channel: canhgiac::model::Channel, id: &str) {
    store
        .give_consent(&canhgiac::store::UserKey::new(channel, id), canhgiac::bot::Notice::default().version())
        .expect("consent");
}

/// The Zalo channel against the fake OA API at `url` (tokens `acc`/`ref`, app secret
/// `app-secret`), for tests that drive the worker or send directly.
pub fn zalo_channel(url: &str, engine: &Arc<canhgiac::bot::Engine>) -> Arc<canhgiac::channels::zalo::Zalo> {
    let settings = canhgiac::channels::zalo::ZaloSettings {
        app_id: "app".into(),
        app_secret: "app-secret".into(),
        oa_secret_key: "oa-secret".into(),
        api_url: url.to_owned(),
        oauth_url: url.to_owned(),
        access_token: Some("acc".into()),
        refresh_token: Some("ref".into()),
        rate_limit_backoff: std::time::Duration::from_millis(100),
    };
    Arc::new(
        canhgiac::channels::zalo::Zalo::new(
            settings,
            engine.clone(),
            engine.store().clone(),
            Arc::new(canhgiac::metrics::Metrics::default()),
        )
        .expect("zalo"),
    )
}

/// Waits until `f` holds (polling every 50 ms), or fails with `what` after `secs` seconds.
pub async fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    for _ in 0..secs * 20 {
        if f() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}
