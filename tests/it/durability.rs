//! What the core promises under failure: an update acknowledged is answered even when the
//! process is killed right after (`kill -9`), and a stop (SIGTERM) lets the updates in flight
//! finish before the process exits.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use std::{collections::BTreeMap, path::Path, process::Child, sync::Arc, time::Duration};

use canhgiac::{config::Secret, store::Store, testing::fake_telegram};

use crate::common;

const SECRET: &str = "durable-secret";

fn start(api_url: &str, data: &Path, index: &Path, port: u16, log: &Path) -> Child {
    common::serve_command(api_url, data, index, log)
        .env("CANHGIAC_PUBLIC_URL", "https://bot.example.gov.vn")
        .env("CANHGIAC_TELEGRAM_WEBHOOK_SECRET", SECRET)
        .env("CANHGIAC_LISTEN", format!("127.0.0.1:{port}"))
        .spawn()
        .expect("start canhgiac serve")
}

async fn post_all(port: u16, chats: std::ops::Range<i64>) {
    let client = reqwest::Client::new();
    for chat in chats {
        let update = common::tg::text(chat, common::tg::private(chat), chat, "/5khong");
        let r = client
            .post(format!("http://127.0.0.1:{port}/webhooks/telegram"))
            .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
            .json(&update)
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 200, "acknowledged");
    }
}

/// Chats that got the five don'ts, and how many times.
fn answered(fake: &fake_telegram::FakeTelegram) -> BTreeMap<i64, usize> {
    let mut m = BTreeMap::new();
    for d in fake.delivered() {
        if d.text.contains("Năm không") {
            *m.entry(d.chat).or_default() += 1;
        }
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_updates_survive_kill_9() {
    const N: i64 = 60;
    let (fake, url) = fake_telegram::start().await.expect("fake");
    let data = tempfile::tempdir().expect("data");
    let index = tempfile::tempdir().expect("index");
    let log = data.path().join("serve.log");
    // Replies hang: every update is acknowledged and none is answered when the process dies.
    *fake.stall_after.lock().expect("lock") = Some(0);
    let port = common::free_port();
    let mut first = start(&url, data.path(), index.path(), port, &log);
    common::until("the server", 30, &log, || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()).await;
    post_all(port, 1000..1000 + N).await;
    common::until("replies in flight", 30, &log, || !fake.calls("sendMessage").is_empty()).await;
    first.kill().expect("SIGKILL");
    first.wait().expect("reap");
    // Requests the killed process had already written may still sit in the fake's socket
    // buffers on a loaded machine; let the fake read them (they stall and fail) before the
    // stall ends, or one could be delivered after the kill, as a real API would.
    let mut seen = fake.calls("sendMessage").len();
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = fake.calls("sendMessage").len();
        if now == seen {
            break;
        }
        seen = now;
    }
    assert!(answered(&fake).is_empty(), "nothing was answered before the kill");

    fake.release_stall();
    let port = common::free_port();
    let mut second = start(&url, data.path(), index.path(), port, &log);
    common::until("every acknowledged update answered", 60, &log, || {
        answered(&fake).len() >= usize::try_from(N).expect("n")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    second.kill().expect("stop");
    second.wait().expect("reap");
    let a = answered(&fake);
    assert_eq!(a.keys().copied().collect::<Vec<_>>(), (1000..1000 + N).collect::<Vec<_>>(), "none lost");
    assert!(a.values().all(|n| *n == 1), "each once: {a:?}");
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(log.contains("handling updates accepted before the last stop"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_lets_updates_in_flight_finish() {
    const N: i64 = 30;
    let (fake, url) = fake_telegram::start().await.expect("fake");
    *fake.send_delay.lock().expect("lock") = Some(Duration::from_millis(400));
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(Store::open(data.path()).expect("store"));
    let (engine, _index) = common::engine_with(store.clone());
    let mut cfg = common::telegram_config(&url, data.path());
    cfg.public_url = Some("https://bot.example.gov.vn".into());
    cfg.telegram_webhook_secret = Some(Secret::new(SECRET));
    let served = common::spawn_serve(cfg, engine).await;
    let port: u16 = served.addr.rsplit(':').next().expect("port").parse().expect("port");
    post_all(port, 2000..2000 + N).await;
    // Stop at once: every update was acknowledged, none has been answered yet.
    assert!(answered(&fake).len() < usize::try_from(N).expect("n"));
    served.shutdown(20).await;
    let a = answered(&fake);
    assert_eq!(a.len(), usize::try_from(N).expect("n"), "all answered before the process ended: {a:?}");
    let pending = canhgiac::store::inbox::pending(
        &rusqlite::Connection::open(store.path().expect("file")).expect("db"),
    )
    .expect("pending");
    assert!(pending.is_empty(), "nothing left in the inbox");
}
