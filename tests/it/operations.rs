//! Operating the server: `/metrics` on a private address, logs a collector can read (JSON
//! lines, or plain text without colour codes when not on a terminal), and the retention purge
//! `serve` runs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use std::sync::Arc;

use canhgiac::{config::Config, store::Store};

use crate::common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_live_on_a_private_address() {
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(Store::open(data.path()).expect("store"));
    let (engine, _index) = common::engine_with(store);
    let mut cfg = Config::load_with(None, |_| None).expect("config");
    cfg.data_dir = data.path().to_path_buf();
    cfg.metrics_listen = Some("127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let app = canhgiac::app::App::build(cfg, Arc::new(engine), listener).await.expect("build");
    let (public, private) = (app.addr(), app.metrics_addr().expect("metrics address"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let get = |addr: std::net::SocketAddr, path: &str| client.get(format!("http://{addr}{path}")).send();
    assert_eq!(get(public, "/metrics").await.expect("public").status(), 404, "not on the public address");
    assert_eq!(get(public, "/healthz").await.expect("public").status(), 200);
    let m = get(private, "/metrics").await.expect("private");
    assert_eq!(m.status(), 200);
    assert!(m.text().await.expect("text").contains("canhgiac_updates_total"));
    assert_eq!(get(private, "/readyz").await.expect("private").status(), 200, "readiness there too");
    let _ = tx.send(());
    tokio::time::timeout(std::time::Duration::from_secs(10), task).await.expect("stops").expect("join");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_purges_what_its_retention_periods_no_longer_allow() {
    use canhgiac::{model::Channel, store::UserKey};
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(Store::open(data.path()).expect("store"));
    let (old, recent) = (UserKey::new(Channel::Telegram, "1"), UserKey::new(Channel::Telegram, "2"));
    for k in [&old, &recent] {
        common::agree(&store, k.channel, &k.id);
        store.record_quiz(k, 7, 10).expect("quiz");
    }
    // The first user's result is two years old (written as the clock would have then).
    let db = data.path().join("canhgiac.sqlite3");
    rusqlite::Connection::open(&db)
        .expect("open")
        .execute("UPDATE quiz_results SET finished_at = finished_at - 730 * 86400 WHERE user_id = '1'", [])
        .expect("age");
    let (engine, _index) = common::engine_with(store.clone());
    let mut cfg = Config::load_with(None, |_| None).expect("config");
    cfg.data_dir = data.path().to_path_buf();
    let served = common::spawn_serve(cfg, engine).await;
    let results = |k: &UserKey| store.subject_data(k).expect("data").quiz_results.len();
    for _ in 0..200 {
        if results(&old) == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!((results(&old), results(&recent)), (0, 1), "the old result goes at start, the recent stays");
    assert!(store.subject_data(&old).expect("data").record.is_some(), "the user is still in touch");
    let _ = served.stop.send(());
    tokio::time::timeout(std::time::Duration::from_secs(10), served.task)
        .await
        .expect("stops")
        .expect("join");
}

#[test]
fn logs_are_json_lines_or_plain_text() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |format: &str| {
        let mut c = common::cli(dir.path());
        c.env("CANHGIAC_LOG_FORMAT", format).env("RUST_LOG", "info").args(["ask", "--json", "otp là gì"]);
        let out = c.output().expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // A fresh index directory: building it logs at info.
    let json = run("json");
    let lines: Vec<&str> = json.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "something was logged");
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{l}");
    }
    std::fs::remove_dir_all(dir.path().join("index")).expect("rm index");
    let text = run("text");
    assert!(text.contains("search index built") || text.contains("no index yet"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour codes when not on a terminal: {text:?}");
    let mut c = common::cli(dir.path());
    c.env("CANHGIAC_LOG_FORMAT", "xml").arg("stats");
    let out = c.output().expect("run");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("CANHGIAC_LOG_FORMAT"));
}

#[test]
fn an_operator_answers_a_request_that_came_by_phone() {
    use canhgiac::{model::Channel, store::UserKey};
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let k = UserKey::new(Channel::Telegram, "7");
    {
        let s = Store::open(&data).expect("store");
        common::agree(&s, Channel::Telegram, "7");
        s.record_quiz(&k, 9, 10).expect("quiz");
    }
    let run = |args: &[&str]| {
        let out = common::cli(dir.path()).args(args).output().expect("run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["data", "show", "telegram:7"]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["data"]["quiz_results"][0]["score"], 9, "{out}");
    let (ok, _, err) = run(&["data", "delete", "telegram:7"]);
    assert!(!ok && err.contains("--yes"), "nothing without confirmation: {err}");
    let (ok, out, err) = run(&["data", "delete", "telegram:7", "--yes"]);
    assert!(ok && out.contains("Đã xóa"), "{out}{err}");
    let (_, _, err) = run(&["data", "show", "bad-id"]);
    assert!(err.contains("telegram:") || err.contains("zalo:"), "the expected form is named: {err}");
    let s = Store::open(&data).expect("store");
    assert!(s.subject_data(&k).expect("data").is_empty());
    let privacy = s.totals("privacy").expect("totals");
    assert!(
        privacy.contains(&("access".to_owned(), 1)) && privacy.contains(&("deletion".to_owned(), 1)),
        "{privacy:?}"
    );
}
