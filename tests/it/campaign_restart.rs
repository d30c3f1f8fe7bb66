//! The kill-and-restart test: `canhgiac serve` (the real binary) is killed with SIGKILL in the
//! middle of a broadcast while requests are in flight, then started again. The broadcast
//! finishes with every subscriber getting the alert exactly once: nobody twice, nobody skipped.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use std::{collections::BTreeMap, path::Path, process::Child};

use canhgiac::{
    model::{BroadcastStatus, Channel, ChatKind},
    store::{Store, now},
    testing::fake_telegram,
};

const SUBSCRIBERS: i64 = 60;
const KILL_AFTER: usize = 20;

fn start(api_url: &str, data: &Path, index: &Path, log: &Path) -> Child {
    common::serve_command(api_url, data, index, log)
        .env("CANHGIAC_LISTEN", format!("127.0.0.1:{}", common::free_port()))
        .env("CANHGIAC_BROADCAST_RATE", "50")
        .spawn()
        .expect("start canhgiac serve")
}

/// Rows of the broadcast per status, read from the database the server writes.
fn statuses(data: &Path) -> BTreeMap<String, i64> {
    let store = Store::open(data).expect("store");
    let b = store.broadcast_summaries(1).expect("summary").remove(0);
    b.counts
        .get(&Channel::Telegram)
        .map(|m| m.iter().map(|(s, n)| (s.as_str().to_owned(), *n)).collect())
        .unwrap_or_default()
}

use common::until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_killed_midway_finishes_after_restart_without_duplicates_or_gaps() {
    let (fake, url) = fake_telegram::start().await.expect("fake");
    let data = tempfile::tempdir().expect("data");
    let index = tempfile::tempdir().expect("index");
    let log = data.path().join("serve.log");
    {
        let store = Store::open(data.path()).expect("store");
        store.kv_set("campaign.started_at", &now().to_string()).expect("kv");
        for chat in 0..SUBSCRIBERS {
            common::agree(&store, Channel::Telegram, &(5000 + chat).to_string());
            store
                .subscribe(Channel::Telegram, &(5000 + chat).to_string(), ChatKind::Private)
                .expect("subscribe");
        }
        let id =
            store.create_alert_draft("Cảnh báo: lừa đảo qua cuộc gọi video giả mạo.", "cli").expect("draft");
        assert_eq!(store.queue_alert(id).expect("queue"), Some(usize::try_from(SUBSCRIBERS).expect("n")));
    }

    // The fake stops answering after 20 deliveries: the requests after that hang, and the
    // process is killed while they are in flight.
    *fake.stall_after.lock().expect("lock") = Some(KILL_AFTER);
    let mut first = start(&url, data.path(), index.path(), &log);
    until("20 deliveries and requests in flight", 60, &log, || {
        fake.delivered().len() >= KILL_AFTER && fake.calls("sendMessage").len() > KILL_AFTER
    })
    .await;
    first.kill().expect("SIGKILL");
    first.wait().expect("reap");
    let at_kill = statuses(data.path());
    assert_eq!(at_kill.get("sent"), Some(&i64::try_from(KILL_AFTER).expect("n")), "{at_kill:?}");
    assert!(at_kill.get("sending").copied().unwrap_or(0) >= 1, "killed with messages in flight: {at_kill:?}");

    // The requests that were cut never reached anyone; start again.
    fake.release_stall();
    let mut second = start(&url, data.path(), index.path(), &log);
    until("every subscriber", 60, &log, || {
        fake.delivered().len() >= usize::try_from(SUBSCRIBERS).expect("n")
    })
    .await;
    until("the broadcast to be marked done", 30, &log, || {
        Store::open(data.path()).expect("store").broadcast_summaries(1).expect("summary")[0].status
            == BroadcastStatus::Done
    })
    .await;
    second.kill().expect("stop");
    second.wait().expect("reap");

    let mut per_chat: BTreeMap<i64, usize> = BTreeMap::new();
    for d in fake.delivered() {
        *per_chat.entry(d.chat).or_default() += 1;
    }
    let expected: Vec<i64> = (0..SUBSCRIBERS).map(|c| 5000 + c).collect();
    assert_eq!(per_chat.keys().copied().collect::<Vec<_>>(), expected, "nobody skipped");
    assert!(per_chat.values().all(|n| *n == 1), "nobody twice: {per_chat:?}");
    assert_eq!(statuses(data.path()).get("sent"), Some(&SUBSCRIBERS));
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(log_text.contains("resuming a broadcast interrupted by a restart"), "{log_text}");
}
