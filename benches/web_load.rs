//! Load on the public check page: `POST /kiem-tra` (a scam message, URL-encoded) and `GET /`
//! against `serve` in this process on loopback, 16 concurrent clients for 8 s each, every
//! request from its own forwarded address (as many users behind the reverse proxy), side by
//! side with `GET /healthz` under the same generator. Prints requests/s and latency.
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

async fn run(url: String, form: Option<String>) -> (f64, Duration, Duration, u64) {
    let http = reqwest::Client::new();
    let n = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(SECONDS);
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (http, url, form, n, bad) = (http.clone(), url.clone(), form.clone(), n.clone(), bad.clone());
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
        let engine = canhgiac::assemble::engine(&cfg).expect("engine");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let app = canhgiac::app::App::build(cfg, Arc::new(engine), listener).await.expect("app");
        let addr = app.addr();
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run(async move {
            let _ = rx.await;
        }));
        let base = format!("http://{addr}");
        let page = reqwest::get(format!("{base}/kiem-tra")).await.expect("get").text().await.expect("html");
        let i = page.find("name=\"token\" value=\"").expect("token") + 20;
        let token = &page[i..i + 32];
        let text = "Vietcombank: tai khoan cua quy khach bi tam khoa. Vui long xac thuc tai https://vietcombank-xacthuc.top/login de tranh bi phong toa.";
        let enc: String = text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
        let form = format!("text={enc}&token={token}");
        println!("web: {CLIENTS} clients, {SECONDS} s each, loopback, each request from its own forwarded address");
        for (name, url, body) in [
            ("GET /healthz (baseline)", format!("{base}/healthz"), None),
            ("GET / (home page)", format!("{base}/"), None),
            ("POST /kiem-tra (a scam)", format!("{base}/kiem-tra"), Some(form)),
        ] {
            let (rps, p50, p99, bad) = run(url, body).await;
            println!("  {name:<26} {rps:>8.0} requests/s, p50 {p50:?}, p99 {p99:?}, {bad} not 2xx");
        }
        let _ = stop.send(());
        let _ = server.await;
    });
}
