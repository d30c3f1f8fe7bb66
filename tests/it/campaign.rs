//! Black-box tests of campaigns: the real server, engine, store and worker against the fake
//! Telegram Bot API and Zalo OA API on 127.0.0.1. An admin subscribes a staff group, sends this
//! week's tip and an alert, reads the statistics; a slot missed while the server was down goes
//! out once; limits are kept through 429s; Zalo promotions follow the platform's rules.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use canhgiac::model::{OutboxStatus, Reason};
use std::{collections::HashMap, sync::Arc, time::Duration};

use canhgiac::{
    bot::{Channel, ChatKind, ChatRef, Engine, Incoming, IncomingKind, UserRef},
    campaign::{ChannelLimits, Worker},
    channels::telegram::Telegram,
    metrics::Metrics,
    store::{Store, UserKey, now},
    testing::{
        fake_telegram::{self, FakeTelegram},
        fake_zalo,
    },
};
use serde_json::Value;

struct Server {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    _index: tempfile::TempDir,
}

/// `serve` in this process over `data`, with admin `telegram:1`, against the fake at `api_url`.
async fn serve(api_url: &str, data: &std::path::Path) -> (Server, Arc<Store>) {
    let store = Arc::new(Store::open(data).expect("store"));
    let (engine, index) = common::engine_with(store.clone());
    let engine = engine.with_roles(canhgiac::bot::Roles::new(&["telegram:1".into()], &[]).expect("roles"));
    let mut cfg = common::telegram_config(api_url, data);
    cfg.broadcast_rate = 100;
    let served = common::spawn_serve(cfg, engine).await;
    (Server { stop: Some(served.stop), task: served.task, _index: index }, store)
}

impl Server {
    async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(15), &mut self.task)
            .await
            .expect("graceful stop")
            .expect("join");
    }
}

use common::tg::{self, text as command};

fn private(id: i64) -> Value {
    tg::private(id)
}

fn group() -> Value {
    tg::group(-100, "Phòng Tổ chức")
}

fn press(update_id: i64, from: i64, data: &str) -> Value {
    tg::press(update_id, tg::private(from), from, data)
}

/// Texts delivered to each chat.
fn by_chat(fake: &FakeTelegram) -> HashMap<i64, Vec<String>> {
    let mut m: HashMap<i64, Vec<String>> = HashMap::new();
    for d in fake.delivered() {
        m.entry(d.chat).or_default().push(d.text);
    }
    m
}

fn last_text_to(fake: &FakeTelegram, chat: i64) -> String {
    by_chat(fake).get(&chat).and_then(|v| v.last().cloned()).unwrap_or_default()
}

fn prefix(s: &str) -> String {
    s.chars().take(30).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_subscribes_a_group_sends_the_tip_and_an_alert_and_reads_the_statistics() {
    let (fake, url) = fake_telegram::start().await.expect("fake");
    let data = tempfile::tempdir().expect("data");
    let (server, store) = serve(&url, data.path()).await;
    let tips = common::content().tips.clone();

    // Three staff (who agreed to the privacy notice) subscribe in private; an ordinary member
    // may not subscribe the group; the admin may.
    for id in ["1", "2", "3"] {
        common::agree(&store, Channel::Telegram, id);
    }
    fake.push_updates([
        command(1, private(1), 1, "/dangky"),
        command(2, private(2), 2, "/dangky"),
        command(3, private(3), 3, "/dangky"),
        command(4, group(), 2, "/dangky@canhgiac_bot"),
        command(5, group(), 1, "/dangky@canhgiac_bot"),
        command(6, private(2), 2, "/guimeo"),
    ]);
    common::wait_until("the replies", 20, || fake.delivered().len() >= 6).await;
    let first = last_text_to(&fake, 1);
    assert!(first.contains("Mẹo tuần này") && first.contains(&prefix(&tips[0].text)), "{first}");
    let group_texts = by_chat(&fake).remove(&-100).unwrap_or_default();
    assert!(
        group_texts.iter().any(|t| t.contains("chỉ quản trị viên hoặc người hướng dẫn")),
        "{group_texts:?}"
    );
    assert!(group_texts.iter().any(|t| t.contains("Đã đăng ký cho nhóm")), "{group_texts:?}");
    assert!(last_text_to(&fake, 2).contains("chỉ dành cho quản trị viên"), "non-admins are refused");
    assert_eq!(store.subscribers(Channel::Telegram).expect("subs"), ["-100", "1", "2", "3"]);

    // Chat 3 blocks the bot; the admin sends this week's tip now.
    fake.blocked_chats.lock().expect("lock").push(3);
    let before = fake.delivered().len();
    fake.push_updates([command(7, private(1), 1, "/guimeo")]);
    common::wait_until("the tip to three chats", 20, || fake.delivered().len() >= before + 4).await;
    let tip_chats: Vec<i64> = fake.delivered()[before..]
        .iter()
        .filter(|d| d.text.contains("Mẹo cảnh giác tuần này"))
        .map(|d| d.chat)
        .collect();
    assert_eq!(tip_chats.len(), 3, "{tip_chats:?}");
    // The tip and the admin's "Đang gửi…" reply may arrive in either order.
    let tip_to_admin = fake.delivered()[before..]
        .iter()
        .find(|d| d.chat == 1 && d.text.contains("Mẹo cảnh giác tuần này"))
        .map(|d| d.text.clone())
        .unwrap_or_default();
    assert!(tip_to_admin.contains(&prefix(&tips[1].text)), "no repeat of the welcome tip: {tip_to_admin}");
    common::wait_until("the blocked chat to be unsubscribed", 20, || {
        store.subscribers(Channel::Telegram).expect("subs") == ["-100", "1", "2"]
    })
    .await;
    fake.push_updates([command(8, private(1), 1, "/guimeo")]);
    common::wait_until("the answer", 20, || last_text_to(&fake, 1).contains("đã được gửi")).await;

    // An alert: preview first, sent only after the confirm button, once.
    let alert = "Xuất hiện cuộc gọi giả danh công an yêu cầu cài ứng dụng để \"xác thực định danh\".";
    fake.push_updates([command(9, private(1), 1, &format!("/phatcanhbao {alert}"))]);
    common::wait_until("the preview", 20, || last_text_to(&fake, 1).contains("Xem trước cảnh báo")).await;
    let preview = fake.bodies("sendMessage").into_iter().rev().find(|b| b["chat_id"] == 1).expect("preview");
    let confirm = preview["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        .as_str()
        .expect("button")
        .to_owned();
    assert!(confirm.starts_with("bc:ok:"), "{confirm}");
    assert!(
        preview["reply_markup"]["inline_keyboard"][0][0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("3 nơi nhận")
    );
    assert_eq!(
        fake.delivered().iter().filter(|d| d.text.contains("Cảnh báo lừa đảo")).count(),
        1,
        "preview only"
    );
    fake.push_updates([press(10, 2, &confirm)]);
    common::wait_until("the refusal", 20, || last_text_to(&fake, 2).contains("chỉ dành cho quản trị viên"))
        .await;
    fake.push_updates([press(11, 1, &confirm), press(12, 1, &confirm)]);
    common::wait_until("the alert in three chats", 20, || {
        fake.delivered().iter().filter(|d| d.text.contains("Cảnh báo lừa đảo") && d.chat != 1).count() == 2
            && by_chat(&fake)[&1].iter().filter(|t| t.contains("Cảnh báo lừa đảo")).count() == 2
    })
    .await;
    common::wait_until("the second press to be refused", 20, || {
        by_chat(&fake)[&1].iter().any(|t| t.contains("đã được gửi hoặc đã hủy"))
    })
    .await;
    let alert_text =
        by_chat(&fake)[&-100].iter().rev().find(|t| t.contains("Cảnh báo")).cloned().unwrap_or_default();
    assert!(alert_text.contains("giả danh công an") && alert_text.contains("/huydangky"), "{alert_text}");

    // Statistics, in the chat and on the command line.
    fake.push_updates([command(13, private(1), 1, "/thongke")]);
    common::wait_until("the statistics", 20, || last_text_to(&fake, 1).contains("Thống kê chiến dịch")).await;
    let stats = last_text_to(&fake, 1);
    assert!(stats.contains("Telegram: 1 nhóm") && stats.contains("Telegram: 2 người dùng"), "{stats}");
    assert!(stats.contains("Cảnh báo") && stats.contains("đã gửi 3"), "{stats}");
    assert!(stats.contains("bỏ qua 1"), "the blocked chat is counted as skipped: {stats}");
    server.shutdown().await;

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_canhgiac"))
        .args(["broadcast", "status", "--json"])
        .env("CANHGIAC_DATA_DIR", data.path())
        .env("CANHGIAC_CONTENT_DIR", common::root().join("content"))
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).expect("json");
    let kinds: Vec<&str> =
        list.as_array().expect("array").iter().filter_map(|b| b["kind"].as_str()).collect();
    assert_eq!(kinds, ["alert", "tip"]);
    assert_eq!(list[0]["counts"]["telegram"]["sent"], 3);
    assert_eq!(list[1]["counts"]["telegram"]["skipped"], 1);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_canhgiac"))
        .arg("stats")
        .env("CANHGIAC_DATA_DIR", data.path())
        .env("CANHGIAC_CONTENT_DIR", common::root().join("content"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("Đăng ký nhận mẹo: 3 nơi nhận"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slot_missed_while_down_goes_out_once_after_restart() {
    let (fake, url) = fake_telegram::start().await.expect("fake");
    let data = tempfile::tempdir().expect("data");
    {
        let store = Store::open(data.path()).expect("store");
        for chat in ["10", "11"] {
            common::agree(&store, Channel::Telegram, chat);
            store.subscribe(Channel::Telegram, chat, ChatKind::Private).expect("sub");
        }
        // The campaign started three weeks ago and the server was down since.
        store.kv_set("campaign.started_at", &(now() - 21 * 86_400).to_string()).expect("kv");
    }
    let (server, store) = serve(&url, data.path()).await;
    common::wait_until("the missed tip", 20, || fake.delivered().len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.shutdown().await;
    assert_eq!(fake.delivered().len(), 2, "one tip per chat, not one per missed week");
    assert_eq!(store.broadcast_summaries(10).expect("summaries").len(), 1);
    drop(store);

    let (server, _store) = serve(&url, data.path()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.shutdown().await;
    assert_eq!(fake.delivered().len(), 2, "nothing again after another restart");
}

async fn telegram_worker(url: &str, store: &Arc<Store>) -> (Arc<Engine>, Arc<Telegram>) {
    let (engine, _dir) = common::engine_with(store.clone());
    let engine = Arc::new(engine);
    let tg = Telegram::connect("123:TEST", url, engine.clone(), Arc::new(Metrics::default()))
        .await
        .expect("connect");
    (engine, Arc::new(tg))
}

fn queue_alert(store: &Store, chats: std::ops::Range<i64>) -> i64 {
    for c in chats {
        common::agree(store, Channel::Telegram, &c.to_string());
        store.subscribe(Channel::Telegram, &c.to_string(), ChatKind::Private).expect("sub");
    }
    let id = store.create_alert_draft("Cảnh báo thử nghiệm", "cli").expect("draft");
    store.queue_alert(id).expect("queue");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_sending_too_fast_is_slowed_by_429s_loses_nothing_and_follows_moved_groups() {
    let (fake, url) = fake_telegram::start().await.expect("fake");
    *fake.enforce_per_second.lock().expect("lock") = Some(30);
    // A staff group that was upgraded to a supergroup: its id changed.
    fake.migrated_chats.lock().expect("lock").push((-100, -100_123));
    let store = Arc::new(Store::in_memory().expect("store"));
    store.subscribe(Channel::Telegram, "-100", ChatKind::Group).expect("group");
    let (engine, tg) = telegram_worker(&url, &store).await;
    let id = queue_alert(&store, 1000..1090);
    // Deliberately faster than Telegram allows: the fake answers 429 "retry after 1".
    let worker = Worker::new(engine.campaign().clone()).channel(tg, ChannelLimits::telegram(200.0));
    let (tx, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(worker.run(rx));
    common::wait_until("every message", 60, || fake.delivered().len() >= 91).await;
    let _ = tx.send(true);
    task.await.expect("worker");
    let mut chats: Vec<i64> = fake.delivered().iter().map(|d| d.chat).collect();
    chats.sort_unstable();
    let mut expected: Vec<i64> = (1000..1090).collect();
    expected.insert(0, -100_123);
    assert_eq!(chats, expected, "each chat exactly once; the group at its new id");
    assert!(fake.throttled.load(std::sync::atomic::Ordering::Relaxed) > 0, "the fake did enforce the limit");
    let b = &store.broadcast_summaries(1).expect("summary")[0];
    assert_eq!((b.id, b.total(OutboxStatus::Sent), b.total(OutboxStatus::Failed)), (id, 91, 0));
    assert!(
        store.subscribers(Channel::Telegram).expect("subs").contains(&"-100123".to_owned()),
        "subscription followed"
    );
}

fn zalo_user(id: &str, kind: IncomingKind) -> Incoming {
    Incoming {
        user: UserRef { channel: Channel::Zalo, id: id.into() },
        chat: ChatRef { id: id.into(), kind: ChatKind::Private },
        kind,
        addressed: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zalo_stops_for_the_day_at_the_oa_daily_cap() {
    let (fake, url) = fake_zalo::start("acc", "ref", "app-secret").await.expect("fake");
    let store = Arc::new(Store::in_memory().expect("store"));
    let (engine, _dir) = common::engine_with(store.clone());
    let engine = Arc::new(engine);
    for id in ["c1", "c2", "c3"] {
        engine.handle(&zalo_user(id, IncomingKind::Joined)).expect("follow");
        engine.handle(&zalo_user(id, IncomingKind::Button("ok:1:1".into()))).expect("agree");
        engine
            .handle(&zalo_user(id, IncomingKind::Command { name: "dangky".into(), arg: String::new() }))
            .expect("subscribe");
    }
    let limits = ChannelLimits { window: None, ..ChannelLimits::zalo(50.0, 2) };
    let worker = Worker::new(engine.campaign().clone()).channel(common::zalo_channel(&url, &engine), limits);
    let (tx, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(worker.run(rx));
    let id = store.create_alert_draft("Cảnh báo thử.", "cli").expect("draft");
    assert_eq!(store.queue_alert(id).expect("queue"), Some(3));
    common::wait_until("two promotions", 20, || fake.promotions().len() >= 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = tx.send(true);
    task.await.expect("worker");
    assert_eq!(fake.promotions().len(), 2, "the OA's cap of 2 a day holds");
    assert_eq!(
        store.claim_due(Channel::Zalo, now(), 10).expect("claim").len(),
        1,
        "the third waits, not lost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zalo_promotions_go_to_followers_once_a_day_with_retries_and_reasons() {
    let (fake, url) = fake_zalo::start("acc", "ref", "app-secret").await.expect("fake");
    let store = Arc::new(Store::in_memory().expect("store"));
    let (engine, _dir) = common::engine_with(store.clone());
    let engine = Arc::new(engine);
    let subscribe = IncomingKind::Command { name: "dangky".into(), arg: String::new() };
    for id in ["z1", "z3", "z4"] {
        // Following shows the privacy notice; its "Đồng ý" button remembers the follow, and so
        // does agreeing by typing a moment later (z4).
        let r = engine.handle(&zalo_user(id, IncomingKind::Joined)).expect("follow");
        assert!(r.iter().flat_map(|r| r.all_buttons()).any(|b| b.data == "ok:1:1"), "{r:?}");
        let agree = if id == "z4" {
            IncomingKind::Command { name: "dongy".into(), arg: String::new() }
        } else {
            IncomingKind::Button("ok:1:1".into())
        };
        engine.handle(&zalo_user(id, agree)).expect("agree");
    }
    engine.handle(&zalo_user("z2", IncomingKind::Button("ok:1:0".into()))).expect("agree");
    for id in ["z1", "z2", "z3", "z4"] {
        let r = engine.handle(&zalo_user(id, subscribe.clone())).expect("subscribe");
        let text: String = r.iter().map(|r| r.body.to_plain()).collect();
        assert!(text.contains("Mẹo tuần này"), "{text}");
        assert_eq!(text.contains("Quan tâm"), id == "z2", "only non-followers are told to follow: {text}");
    }
    fake.not_following.lock().expect("lock").push("z3".into()); // unfollowed without us seeing it
    *fake.fail_next_promotions.lock().expect("lock") = 1; // one server error, then fine
    let zalo = common::zalo_channel(&url, &engine);
    // The 06:00–22:00 window is covered by a unit test; here the test must pass at any hour.
    let limits = ChannelLimits { window: None, ..ChannelLimits::zalo(50.0, 500) };
    let worker = Worker::new(engine.campaign().clone())
        .channel(zalo, limits)
        .retry_base(Duration::from_secs(1))
        .wake_on(engine.waker());
    let (tx, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(worker.run(rx));

    let id =
        store.create_alert_draft("Cảnh báo: tin nhắn giả mạo cơ quan thuế.", "telegram:1").expect("draft");
    assert_eq!(store.queue_alert(id).expect("queue"), Some(3), "four subscribers, three reachable");
    common::wait_until("the promotions", 30, || fake.promotions().len() >= 2).await;
    let mut users: Vec<String> = fake.promotions().into_iter().map(|p| p.0).collect();
    users.sort();
    assert_eq!(users, ["z1", "z4"]);
    let (_, header, text) = &fake.promotions()[0];
    assert!(header.contains("Cảnh báo lừa đảo") && text.contains("cơ quan thuế"), "{header} {text}");
    common::wait_until("the broadcast to settle", 30, || {
        store.broadcast_summaries(1).expect("summary")[0].total(OutboxStatus::Pending) == 0
    })
    .await;
    let mut reasons = store.broadcast_reasons(id).expect("reasons");
    reasons.sort();
    assert_eq!(
        reasons,
        [(OutboxStatus::Skipped, Reason::NotFollower, 1), (OutboxStatus::Skipped, Reason::Unfollowed, 1)]
    );
    assert!(
        !store.subscribers(Channel::Zalo).expect("subs").contains(&"z3".to_owned()),
        "unfollow unsubscribes"
    );

    // This week's tip the same day: one promotion per user per day, so it waits for tomorrow.
    engine.campaign().tip_now("telegram:1", now()).expect("tip now");
    engine.waker().notify_waiters();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(fake.promotions().len(), 2, "no second promotion today");
    let items = store.claim_due(Channel::Zalo, now() + 2 * 86_400, 10).expect("claim");
    assert_eq!(items.len(), 2, "both tips wait for tomorrow");
    let _ = tx.send(true);
    task.await.expect("worker");
    assert!(store.user(&UserKey::new(Channel::Zalo, "z1")).expect("user").expect("row").subscribed);
}
