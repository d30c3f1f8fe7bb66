//! Broadcast simulation (not a timed test): 10,000 subscribers get an alert through the real
//! outbox worker and Telegram client, against the fake Bot API enforcing Telegram's limits
//! (30 messages/s overall, 1/s per chat) with 429s. Reports the throughput as a share of the
//! 30 messages/s limit, 429s received, and lost or duplicated messages (both must be zero).
//! `BROADCAST_SUBSCRIBERS` and `BROADCAST_RATE` (our pace, messages/s; default 28, as
//! `CANHGIAC_BROADCAST_RATE`) change the run. Run with `cargo bench --bench broadcast`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use canhgiac::model::{Channel, ChatKind, OutboxStatus};
use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};

use canhgiac::{
    campaign::{ChannelLimits, Worker},
    channels::telegram::Telegram,
    config::Config,
    metrics::Metrics,
    testing::fake_telegram,
};

const TELEGRAM_LIMIT: f64 = 30.0;

fn env_num(name: &str, default: f64) -> f64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let subscribers = env_num("BROADCAST_SUBSCRIBERS", 10_000.0) as i64;
    let rate = env_num("BROADCAST_RATE", 28.0);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let index_dir = tempfile::tempdir().expect("tempdir");
    let data_dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = Config::load_with(None, |_| None).expect("config");
    cfg.content_dir = root.join("content");
    cfg.index_dir = index_dir.path().to_path_buf();
    cfg.data_dir = data_dir.path().to_path_buf();
    let engine = Arc::new(canhgiac::assemble::engine(&cfg).expect("engine"));
    let store = engine.store().clone();

    let setup = Instant::now();
    for chat in 0..subscribers {
        let key = canhgiac::store::UserKey::new(Channel::Telegram, &(1_000_000 + chat).to_string());
        store.give_consent(&key, canhgiac::bot::Notice::default().version()).expect("consent");
        store
            .subscribe(Channel::Telegram, &(1_000_000 + chat).to_string(), ChatKind::Private)
            .expect("subscribe");
    }
    let id = store.create_alert_draft("Cảnh báo: lừa đảo giả danh cơ quan thuế.", "bench").expect("draft");
    store.queue_alert(id).expect("queue");
    println!("queued {subscribers} recipients in {:.2} s", setup.elapsed().as_secs_f64());

    let (fake, url) = fake_telegram::start().await.expect("fake");
    *fake.enforce_per_second.lock().expect("lock") = Some(TELEGRAM_LIMIT as usize);
    let tg = Arc::new(
        Telegram::connect("123:BENCH", &url, engine.clone(), Arc::new(Metrics::default()))
            .await
            .expect("connect"),
    );
    let worker = Worker::new(engine.campaign().clone()).channel(tg, ChannelLimits::telegram(rate));
    let (tx, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(worker.run(rx));
    let started = Instant::now();
    let deadline = Duration::from_secs_f64(subscribers as f64 / rate.min(TELEGRAM_LIMIT) * 3.0 + 60.0);
    let mut last_report = Instant::now();
    while (fake.delivered().len() as i64) < subscribers && started.elapsed() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            eprintln!(
                "  … {} delivered after {:.0} s",
                fake.delivered().len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let _ = tx.send(true);
    task.await.expect("worker");

    let delivered = fake.delivered();
    let mut per_chat: HashMap<i64, usize> = HashMap::new();
    for d in &delivered {
        *per_chat.entry(d.chat).or_default() += 1;
    }
    let lost = (0..subscribers).filter(|c| !per_chat.contains_key(&(1_000_000 + c))).count();
    let duplicated: usize = per_chat.values().map(|n| n.saturating_sub(1)).sum();
    let (first, last) = (delivered.first().map(|d| d.at), delivered.last().map(|d| d.at));
    let span = match (first, last) {
        (Some(a), Some(b)) => b.duration_since(a).as_secs_f64(),
        _ => 0.0,
    };
    let throughput = if span > 0.0 { (delivered.len() as f64 - 1.0) / span } else { 0.0 };
    let summary = &store.broadcast_summaries(1).expect("summary")[0];
    println!(
        "broadcast of {subscribers} at a pace of {rate} msg/s against a fake enforcing {TELEGRAM_LIMIT}/s and 1/s per chat:"
    );
    println!(
        "  delivered {} in {span:.1} s: {throughput:.2} msg/s = {:.1}% of the 30 msg/s limit",
        delivered.len(),
        throughput / TELEGRAM_LIMIT * 100.0
    );
    println!(
        "  lost {lost}, duplicated {duplicated}, 429 answers {}",
        fake.throttled.load(Ordering::Relaxed)
    );
    println!(
        "  outbox: sent {}, failed {}, skipped {}",
        summary.total(OutboxStatus::Sent),
        summary.total(OutboxStatus::Failed),
        summary.total(OutboxStatus::Skipped)
    );
    if let Some(kib) = Some(canhgiac::testing::peak_rss_kb()).filter(|kb| *kb > 0) {
        println!("  peak memory (whole process, fake included): {:.0} MiB", kib as f64 / 1024.0);
    }
    assert_eq!((lost, duplicated), (0, 0), "a broadcast must lose and duplicate nothing");
}
