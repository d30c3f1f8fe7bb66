//! The operator's side of the scam-report register: `canhgiac reports list|show|approve|reject|
//! export` over a database, and `canhgiac check` consulting the same register.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use canhgiac::{
    model::{Channel, EntityKind},
    store::{NewReport, Store, UserKey},
};

use crate::common;

fn report(s: &Store, who: &str, entities: &[(EntityKind, String, Option<String>)]) {
    let reporter = UserKey::new(Channel::Telegram, who);
    common::agree(s, Channel::Telegram, who);
    let r = NewReport {
        reporter: &reporter,
        feedback: who == "1",
        entities,
        form: Some("fake_police_procuracy"),
        verdict: "scam",
        daily_limit: 20,
    };
    s.report_scam(&r).expect("report");
}

#[test]
fn operators_list_decide_and_export_and_check_consults_the_register() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    {
        let s = Store::open(&data).expect("store");
        let phone = (EntityKind::Phone, "0912345678".to_owned(), None);
        let account = (EntityKind::Account, "0123456789".to_owned(), Some("Vietcombank".to_owned()));
        let official = (EntityKind::Host, "vietcombank.com.vn".to_owned(), None);
        report(&s, "1", &[phone.clone(), account]);
        report(&s, "2", &[phone, official]);
    }
    let run = |args: &[&str]| {
        let out = common::cli(dir.path()).args(args).output().expect("run");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    };
    let (ok, out, err) = run(&["reports", "list", "--status", "pending", "--json"]);
    assert!(ok, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 3);
    let first = &list[0];
    for field in ["id", "kind", "value", "status", "reporters", "first_day", "last_day"] {
        assert!(!first[field].is_null(), "{field} in {first}");
    }
    assert_eq!(
        (first["kind"].as_str(), first["value"].as_str(), first["reporters"].as_i64()),
        (Some("phone"), Some("0912345678"), Some(2))
    );
    let id_of = |value: &str| {
        list.iter().find(|e| e["value"] == value).and_then(|e| e["id"].as_i64()).expect("id").to_string()
    };

    // An official domain is not confirmed without the override.
    let (ok, _, err) = run(&["reports", "approve", &id_of("vietcombank.com.vn")]);
    assert!(!ok && err.contains("chính thức") && err.contains("--override-official"), "{err}");
    let (ok, out, err) = run(&["reports", "approve", &id_of("0912345678"), "--why", "nhiều người báo"]);
    assert!(ok && out.contains("1 người báo cáo sẽ nhận phản hồi"), "{out}{err}");
    let (ok, _, err) = run(&["reports", "reject", &id_of("0123456789")]);
    assert!(ok, "{err}");
    let (_, out, _) = run(&["reports", "show", &id_of("0912345678")]);
    assert!(out.contains("\"confirmed\"") && out.contains("fake_police_procuracy"), "{out}");
    // A decision taken back from the command line, then taken again.
    let (ok, out, _) = run(&["reports", "reopen", &id_of("0912345678"), "--why", "xem lại"]);
    assert!(ok && out.contains("chờ duyệt"), "{out}");
    let (ok, out, _) = run(&["reports", "list", "--status", "confirmed", "--json"]);
    assert!(ok && out.trim() == "[]", "{out}");
    let (ok, _, err) = run(&["reports", "approve", &id_of("0912345678")]);
    assert!(ok, "{err}");

    // The export: confirmed only, no reporter identity.
    let (ok, csv, err) = run(&["reports", "export", "--from", "2026-01-01", "--to", "2999-12-31"]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("phone,0912345678,,") && lines[1].contains(",2,2,"), "{csv}");
    let (_, md, _) =
        run(&["reports", "export", "--from", "2026-01-01", "--to", "2999-12-31", "--format", "md"]);
    assert!(md.contains("| Số điện thoại | 0912345678 |") && !md.contains("telegram"), "{md}");

    // `check` reads the same register.
    let (ok, out, err) = run(&["check", "--json", "Gọi ngay 0912 345 678 để nhận quà"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["verdict"], "scam", "{out}");
    let signal =
        v["signals"].as_array().expect("signals").iter().find(|s| s["id"] == "reported_confirmed").cloned();
    let signal = signal.expect("the confirmed signal");
    assert!(
        signal["label"].as_str().is_some_and(|l| l.contains("xác nhận"))
            && signal["evidence"] == "0912345678"
    );
}

/// A list server on 127.0.0.1: serves `body` with its ETag, answers 304 to a matching
/// If-None-Match, and 500 while `fail` is set.
struct ListServer {
    url: String,
    state: std::sync::Arc<std::sync::Mutex<(String, u32, bool)>>,
    hits: std::sync::Arc<std::sync::Mutex<Vec<u16>>>,
}

async fn list_server(body: &str) -> ListServer {
    use axum::{extract::State, http::HeaderMap, response::IntoResponse, routing::get};
    type Shared =
        (std::sync::Arc<std::sync::Mutex<(String, u32, bool)>>, std::sync::Arc<std::sync::Mutex<Vec<u16>>>);
    let state = std::sync::Arc::new(std::sync::Mutex::new((body.to_owned(), 1u32, false)));
    let hits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    async fn serve_list(State((state, hits)): State<Shared>, headers: HeaderMap) -> axum::response::Response {
        let (body, version, fail) = state.lock().expect("lock").clone();
        let etag = format!("\"v{version}\"");
        let status = if fail {
            500
        } else if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
            304
        } else {
            200
        };
        hits.lock().expect("lock").push(status);
        match status {
            200 => ([("etag", etag)], body).into_response(),
            304 => axum::http::StatusCode::NOT_MODIFIED.into_response(),
            _ => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
    let app =
        axum::Router::new().route("/list.csv", get(serve_list)).with_state((state.clone(), hits.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    ListServer { url: format!("http://{addr}/list.csv"), state, hits }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_list_is_refreshed_conditionally_and_a_failure_keeps_the_last_good_copy() {
    use canhgiac::reports::lists::{Lists, Refreshed, parse_sources};
    let server = list_server("kind,value\nphone,0911111111\n").await;
    let data = tempfile::tempdir().expect("data");
    let sources = parse_sources(&format!("numbers:{}", server.url)).expect("sources");
    let lists = Lists::new(sources.clone(), data.path());
    let key = |v: &str| (EntityKind::Phone, v.to_owned());
    assert!(lists.entries().is_empty(), "nothing before the first fetch");
    assert_eq!(lists.refresh(&sources[0]).await, Refreshed::Updated);
    assert!(lists.entries().contains_key(&key("0911111111")));
    assert_eq!(lists.refresh(&sources[0]).await, Refreshed::NotModified, "a conditional request");
    {
        let mut s = server.state.lock().expect("lock");
        *s = ("phone,0922222222\n".to_owned(), 2, false);
    }
    assert_eq!(lists.refresh(&sources[0]).await, Refreshed::Updated);
    let entries = lists.entries();
    assert!(entries.contains_key(&key("0922222222")) && !entries.contains_key(&key("0911111111")));
    server.state.lock().expect("lock").2 = true;
    assert!(matches!(lists.refresh(&sources[0]).await, Refreshed::Failed(_)));
    assert!(lists.entries().contains_key(&key("0922222222")), "the last good copy stays");
    assert_eq!(*server.hits.lock().expect("lock"), [200, 304, 200, 500]);
    // A restart without the network reads the stored copy.
    let offline = Lists::new(parse_sources("numbers:http://127.0.0.1:9/none.csv").expect("s"), data.path());
    assert!(offline.entries().is_empty(), "another URL has no copy");
    assert!(Lists::new(sources, data.path()).entries().contains_key(&key("0922222222")));

    // `serve` loads the copy, counts a failed refresh in /metrics, and the checker uses it.
    let store = std::sync::Arc::new(Store::open(data.path()).expect("store"));
    let (engine, _index) = common::engine_with(store);
    let register = engine.register().clone();
    let mut cfg = canhgiac::config::Config::load_with(None, |_| None).expect("config");
    cfg.data_dir = data.path().to_path_buf();
    cfg.lists = vec![format!("numbers:{}", server.url)];
    let served = common::spawn_serve(cfg, engine).await;
    let metrics_url = format!("http://{}/metrics", served.addr);
    let mut text = String::new();
    for _ in 0..200 {
        text = reqwest::get(&metrics_url).await.expect("metrics").text().await.expect("text");
        if text.contains("canhgiac_list_refresh_failures_total 1") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(text.contains("canhgiac_list_refresh_failures_total 1"), "{text}");
    assert_eq!(register.listed_len(), 1, "the stored copy is in use");
    let _ = served.stop.send(());
    tokio::time::timeout(std::time::Duration::from_secs(10), served.task)
        .await
        .expect("stops")
        .expect("join");
    let checker = canhgiac::check::Checker::new(common::content(), canhgiac::check::Blocklist::new(), None)
        .expect("checker")
        .with_register(register);
    let r = checker.check("Anh gọi lại số 0922 222 222 để nhận hỗ trợ nhé");
    assert_eq!(r.verdict.as_str(), "scam");
    assert!(r.signals.iter().any(|s| s.id == "listed" && s.label.contains("127.0.0.1")), "{:?}", r.signals);
}

#[test]
fn an_imported_list_never_makes_an_official_domain_a_scam() {
    use std::sync::Arc;
    let register = canhgiac::reports::MemoryRegister::default();
    let mut listed = canhgiac::reports::Listed::new();
    for host in ["vietcombank.com.vn", "scam-vcb.top"] {
        listed.insert((EntityKind::Host, host.to_owned()), Arc::from("list.txt"));
    }
    register.set_listed(listed);
    let checker = canhgiac::check::Checker::new(common::content(), canhgiac::check::Blocklist::new(), None)
        .expect("checker")
        .with_register(Arc::new(register));
    let official = checker.check("https://www.vietcombank.com.vn/vi-VN/KHCN");
    assert!(official.signals.iter().all(|s| s.id != "listed"), "{:?}", official.signals);
    assert_ne!(official.verdict.as_str(), "scam");
    let scam = checker.check("https://scam-vcb.top/login");
    assert_eq!(scam.verdict.as_str(), "scam");
    assert!(
        scam.signals.iter().any(|s| s.id == "listed"),
        "a bare link shows the list too: {:?}",
        scam.signals
    );
}
