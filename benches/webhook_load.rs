//! Load benchmark (not a timed test): updates per second through the Telegram webhook path
//! against the fake Bot API on loopback, the p50/p99 time from posting an update to the reply's
//! `sendMessage` call, and the process's peak memory; then signed Zalo webhook requests per
//! second (signature verified on every request) against the fake Zalo API. Bounded: 2,000
//! updates per channel, 120 s at most each. Run with `cargo bench --bench webhook_load`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use canhgiac::{
    channels::zalo::mac,
    config::{Config, Secret},
    testing::{fake_telegram, fake_zalo},
};
use serde_json::json;

const UPDATES: usize = 2000;
const CONCURRENCY: usize = 32;

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

fn now_ms() -> String {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis().to_string()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes harness=false benches
    }
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let questions: Vec<String> = std::fs::read_to_string(root.join("tests/data/dev_questions.tsv"))
        .expect("dev questions")
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('\t').map(|(_, q)| q.to_owned()))
        .collect();
    let index_dir = tempfile::tempdir().expect("tempdir");
    let data_dir = tempfile::tempdir().expect("tempdir");
    let (fake, api_url) = fake_telegram::start().await.expect("fake api");
    let mut cfg = Config::load_with(None, |_| None).expect("config");
    cfg.telegram_bot_token = Some(Secret::new("123:LOAD"));
    cfg.telegram_api_url = api_url;
    cfg.public_url = Some("https://bot.example.gov.vn".into());
    cfg.telegram_webhook_secret = Some(Secret::new("load-secret"));
    cfg.data_dir = data_dir.path().to_path_buf();
    cfg.index_dir = index_dir.path().to_path_buf();
    cfg.content_dir = root.join("content");
    let engine = Arc::new(canhgiac::assemble::engine(&cfg).expect("engine"));
    let (zalo_fake, zalo_api) = fake_zalo::start("za-0", "zr-0", "app-secret").await.expect("fake zalo");
    cfg.zalo_app_id = Some("app-load".into());
    cfg.zalo_app_secret = Some(Secret::new("app-secret"));
    cfg.zalo_oa_secret_key = Some(Secret::new("oa-secret"));
    cfg.zalo_access_token = Some(Secret::new("za-0"));
    cfg.zalo_refresh_token = Some(Secret::new("zr-0"));
    cfg.zalo_api_url = zalo_api.clone();
    cfg.zalo_oauth_url = zalo_api;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let app = canhgiac::app::App::build(cfg, engine, listener).await.expect("app");
    let port = app.addr().port();
    let server = tokio::spawn(app.run(async move {
        let _ = stop_rx.await;
    }));
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("http://127.0.0.1:{port}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let sent_at: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
    let sem = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let url = format!("http://127.0.0.1:{port}/webhooks/telegram");
    let start = Instant::now();
    let mut posts = Vec::with_capacity(UPDATES);
    for i in 0..UPDATES {
        let chat = 1_000_000 + i as i64;
        let text = match i % 4 {
            0 => "/5khong".to_owned(),
            1 => {
                format!("Tai khoan {i} bi khoa, vui long truy cap https://vietcombank-xacthuc.top de mo khoa")
            }
            _ => questions[i % questions.len()].clone(),
        };
        let update = json!({"update_id": i + 1, "message": {"message_id": i + 1, "date": 1_700_000_000,
            "chat": {"id": chat, "type": "private", "first_name": "T"},
            "from": {"id": chat, "is_bot": false, "first_name": "T"}, "text": text}});
        let permit = sem.clone().acquire_owned().await.expect("semaphore");
        let (client, url, sent_at) = (client.clone(), url.clone(), sent_at.clone());
        posts.push(tokio::spawn(async move {
            sent_at.lock().expect("lock").insert(chat, Instant::now());
            let r = client
                .post(&url)
                .header("X-Telegram-Bot-Api-Secret-Token", "load-secret")
                .json(&update)
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 200);
            drop(permit);
        }));
    }
    for p in posts {
        p.await.expect("post task");
    }
    // Wait for a reply to every update (each first contact also gets a privacy note).
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut first_reply: HashMap<i64, Instant> = HashMap::new();
    while first_reply.len() < UPDATES && Instant::now() < deadline {
        for c in fake.calls("sendMessage") {
            if let Some(chat) = c.body["chat_id"].as_i64() {
                first_reply.entry(chat).or_insert(c.at);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let last = first_reply.values().max().copied().unwrap_or_else(Instant::now);
    let sent = sent_at.lock().expect("lock").clone();
    let mut lat: Vec<f64> = first_reply
        .iter()
        .filter_map(|(chat, at)| sent.get(chat).map(|s| at.duration_since(*s).as_secs_f64() * 1e3))
        .collect();
    lat.sort_by(f64::total_cmp);
    let elapsed = last.duration_since(start).as_secs_f64();
    println!(
        "webhook load: {} updates, {} answered in {:.2} s = {:.0} updates/s (concurrency {CONCURRENCY}); \
         update→sendMessage p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; sendMessage calls {}; peak memory {} MiB",
        UPDATES,
        first_reply.len(),
        elapsed,
        first_reply.len() as f64 / elapsed,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0.0),
        fake.calls("sendMessage").len(),
        peak_memory_kib().map_or_else(|| "?".to_owned(), |k| format!("{:.0}", k as f64 / 1024.0)),
    );

    // Zalo: signed webhook requests; the signature is verified on every one.
    let zurl = format!("http://127.0.0.1:{port}/webhooks/zalo");
    let bodies: Vec<String> = (0..UPDATES)
        .map(|i| {
            json!({"app_id": "app-load", "sender": {"id": format!("zu{i}")}, "recipient": {"id": "oa"},
                "event_name": "user_send_text", "message": {"text": questions[i % questions.len()], "msg_id": format!("zm{i}")},
                "timestamp": now_ms()})
            .to_string()
        })
        .collect();
    let zstart = Instant::now();
    let mut posts = Vec::with_capacity(UPDATES);
    for body in bodies {
        let permit = sem.clone().acquire_owned().await.expect("semaphore");
        let (client, url) = (client.clone(), zurl.clone());
        posts.push(tokio::spawn(async move {
            let ts = serde_json::from_str::<serde_json::Value>(&body).expect("json")["timestamp"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            let sig = format!("mac={}", mac("app-load", body.as_bytes(), &ts, "oa-secret"));
            let r =
                client.post(&url).header("X-ZEvent-Signature", sig).body(body).send().await.expect("post");
            assert_eq!(r.status(), 200);
            drop(permit);
        }));
    }
    for p in posts {
        p.await.expect("post task");
    }
    let acked = zstart.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(120);
    while zalo_fake.calls("cs").len() < 2 * UPDATES && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let done = zstart.elapsed().as_secs_f64();
    println!(
        "zalo webhook: {UPDATES} signed requests acknowledged in {acked:.2} s = {:.0} requests/s (signature verified, \
         concurrency {CONCURRENCY}); all {} replies sent after {done:.2} s = {:.0} events/s end to end; peak memory {} MiB",
        UPDATES as f64 / acked,
        zalo_fake.calls("cs").len(),
        UPDATES as f64 / done,
        peak_memory_kib().map_or_else(|| "?".to_owned(), |k| format!("{:.0}", k as f64 / 1024.0)),
    );
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
}
