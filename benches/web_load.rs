//! Load on the web pages: `POST /kiem-tra` (a scam message, URL-encoded), `GET /` and the
//! console's overview `GET /quan-tri` (an admin's session, a month of seeded figures: the
//! report's queries and the chart on every request) against `serve` in this process on
//! loopback, 16 concurrent clients for 8 s each, every request from its own forwarded address
//! (as many users behind the reverse proxy), side by side with `GET /healthz` under the same
//! generator. Prints requests/s and latency.
//! Run with `cargo bench --bench web_load`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benches may fail loudly
#![allow(missing_docs)]

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

const CLIENTS: usize = 16;
const SECONDS: u64 = 8;

async fn run(url: String, form: Option<String>, cookie: Option<String>) -> (f64, Duration, Duration, u64) {
    let http = reqwest::Client::new();
    let n = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(SECONDS);
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (http, url, form, n, bad) = (http.clone(), url.clone(), form.clone(), n.clone(), bad.clone());
        let cookie = cookie.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = 0u32;
            while Instant::now() < end {
                i += 1;
                let ip = format!("10.{}.{}.{}", c, (i >> 8) & 255, i & 255);
                let t = Instant::now();
                let req = match &form {
                    Some(body) => http
                        .post(&url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("x-forwarded-for", &ip)
                        .body(body.clone()),
                    None => http.get(&url).header("x-forwarded-for", &ip),
                };
                let req = match &cookie {
                    Some(c) => req.header("cookie", c),
                    None => req,
                };
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                    }
                    _ => {
                        bad.fetch_add(1, Ordering::Relaxed);
                    }
                }
                lat.push(t.elapsed());
                n.fetch_add(1, Ordering::Relaxed);
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client"));
    }
    all.sort();
    let total = n.load(Ordering::Relaxed);
    (
        total as f64 / SECONDS as f64,
        all[all.len() / 2],
        all[all.len() * 99 / 100],
        bad.load(Ordering::Relaxed),
    )
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    rt.block_on(async {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let data = tempfile::tempdir().expect("data");
        let index = tempfile::tempdir().expect("index");
        let mut cfg = canhgiac::config::Config::load_with(None, |_| None).expect("config");
        cfg.content_dir = root.join("content");
        cfg.index_dir = index.path().to_path_buf();
        cfg.data_dir = data.path().to_path_buf();
        cfg.admins = vec!["telegram:1".into()];
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let engine = canhgiac::assemble::engine(&cfg).expect("engine").with_console(Some(format!("{base}/quan-tri")));
        seed(engine.store());
        let link = engine
            .login_link(&canhgiac::store::UserKey::new(canhgiac::model::Channel::Telegram, "1"), "bench")
            .expect("link")
            .expect("console");
        let app = canhgiac::app::App::build(cfg, Arc::new(engine), listener).await.expect("app");
        let addr = app.addr();
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run(async move {
            let _ = rx.await;
        }));
        let _ = addr;
        let cookie = sign_in(&base, &link).await;
        let page = reqwest::get(format!("{base}/kiem-tra")).await.expect("get").text().await.expect("html");
        let i = page.find("name=\"token\" value=\"").expect("token") + 20;
        let token = &page[i..i + 32];
        let text = "Vietcombank: tai khoan cua quy khach bi tam khoa. Vui long xac thuc tai https://vietcombank-xacthuc.top/login de tranh bi phong toa.";
        let enc: String = text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
        let form = format!("text={enc}&token={token}");
        println!("web: {CLIENTS} clients, {SECONDS} s each, loopback, each request from its own forwarded address");
        for (name, url, body, jar) in [
            ("GET /healthz (baseline)", format!("{base}/healthz"), None, None),
            ("GET / (home page)", format!("{base}/"), None, None),
            ("POST /kiem-tra (a scam)", format!("{base}/kiem-tra"), Some(form), None),
            ("GET /quan-tri (overview)", format!("{base}/quan-tri"), None, Some(cookie)),
        ] {
            let (rps, p50, p99, bad) = run(url, body, jar).await;
            println!("  {name:<26} {rps:>8.0} requests/s, p50 {p50:?}, p99 {p99:?}, {bad} not 2xx");
        }
        let _ = stop.send(());
        let _ = server.await;
    });
}

/// A month of campaign figures: 300 users and subscribers, 3,000 checks, 500 quizzes.
fn seed(store: &canhgiac::store::Store) {
    use canhgiac::{
        model::{Channel, ChatKind},
        store::UserKey,
    };
    for i in 0..300 {
        let k = UserKey::new(Channel::Telegram, &format!("{}", 1000 + i));
        store.give_consent(&k, "v").expect("consent");
        store.touch_user(&k).expect("touch");
        store.subscribe(Channel::Telegram, &k.id, ChatKind::Private).expect("subscribe");
        if i < 250 {
            for _ in 0..2 {
                store.record_quiz(&k, 7, 10).expect("quiz");
            }
        }
    }
    for (verdict, n) in [("scam", 900), ("suspicious", 600), ("unverified", 300), ("safe", 1200)] {
        for _ in 0..n {
            store.count("verdict", verdict).expect("count");
        }
    }
}

/// Spends the sign-in link: the session cookie.
async fn sign_in(base: &str, link: &str) -> String {
    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let page = http.get(link).send().await.expect("get").text().await.expect("html");
    let i = page.find("name=\"token\" value=\"").expect("token") + 20;
    let token = &page[i..i + 32];
    let t = link.rsplit('=').next().expect("t");
    let res = http
        .post(format!("{base}/quan-tri/vao"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("t={t}&token={token}"))
        .send()
        .await
        .expect("sign in");
    assert_eq!(res.status(), 303);
    let set = res.headers()["set-cookie"].to_str().expect("ascii");
    set.split(';').next().expect("cookie").to_owned()
}
