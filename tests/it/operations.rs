//! Operating the server: `/metrics` on a private address, and logs a collector can read
//! (JSON lines, or plain text without colour codes when not on a terminal).

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
