//! Black-box tests of tip cards: the weekly tip reaches the fake Telegram API as `sendPhoto`
//! with a valid PNG and its caption (uploaded once, then resent by file id) and the fake Zalo
//! API as a promotion with the card as its banner (uploaded once, uploaded again when the
//! attachment expired); a failing image falls back to text, and every subscriber still gets the
//! tip exactly once. `/meo` shows the card with a share link; `serve` serves cards at `/the/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use std::{sync::Arc, time::Duration};

use canhgiac::{
    bot::{Attachment, Channel, ChatKind, ChatRef, Engine, Incoming, IncomingKind, Reply, UserRef},
    campaign::{ChannelLimits, TipNow, Worker},
    cards::{Branding, Cards},
    channels::telegram::{CAPTION_LIMIT, Telegram},
    metrics::Metrics,
    model::OutboxStatus,
    store::{Store, now},
    testing::{fake_telegram, fake_zalo},
};

use crate::common;

/// The engine over the real content with tip cards cached in `cards_dir`.
fn engine_with_cards(store: Arc<Store>, cards_dir: &std::path::Path) -> (Engine, tempfile::TempDir) {
    let (engine, index) = common::engine_with(store);
    let cards = Cards::new(common::content(), Branding::default(), Some(cards_dir.to_path_buf()));
    (engine.with_cards(Some(Arc::new(cards))), index)
}

fn subscribe_private(store: &Store, channel: Channel, ids: &[&str]) {
    for id in ids {
        common::agree(store, channel, id);
        store.subscribe(channel, id, ChatKind::Private).expect("subscribe");
    }
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let p = tiny_skia::Pixmap::decode_png(bytes).expect("a valid PNG");
    (p.width(), p.height())
}

/// The engine with cards, connected to the fake Bot API (which refuses photos if asked).
struct Tg {
    fake: Arc<fake_telegram::FakeTelegram>,
    store: Arc<Store>,
    engine: Arc<Engine>,
    tg: Arc<Telegram>,
    dir: tempfile::TempDir,
    _index: tempfile::TempDir,
}

async fn telegram_with_cards(refuse_photos: bool) -> Tg {
    let (fake, url) = fake_telegram::start().await.expect("fake");
    fake.fail_photos.store(refuse_photos, std::sync::atomic::Ordering::SeqCst);
    let store = Arc::new(Store::in_memory().expect("store"));
    let dir = tempfile::tempdir().expect("cards");
    let (engine, index) = engine_with_cards(store.clone(), dir.path());
    let engine = Arc::new(engine);
    let tg = Arc::new(
        Telegram::connect("123:TEST", &url, engine.clone(), Arc::new(Metrics::default())).await.expect("tg"),
    );
    Tg { fake, store, engine, tg, dir, _index: index }
}

async fn run_worker(worker: Worker, done: impl Fn() -> bool, what: &str) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(worker.run(rx));
    common::wait_until(what, 60, done).await;
    // A moment more: anything sent twice would show up now.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let _ = tx.send(true);
    task.await.expect("worker");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weekly_tip_reaches_telegram_as_one_photo_per_subscriber_uploaded_once() {
    let Tg { fake, store, engine, tg, dir, _index } = telegram_with_cards(false).await;
    let chats = ["11", "12", "13", "14", "15"];
    subscribe_private(&store, Channel::Telegram, &chats);
    let TipNow::Queued { recipients, .. } = engine.campaign().tip_now("telegram:1", now()).expect("tip")
    else {
        panic!("not queued")
    };
    assert_eq!(recipients, 5);
    let worker = Worker::new(engine.campaign().clone()).channel(tg, ChannelLimits::telegram(100.0));
    run_worker(worker, || fake.photos().len() >= 5, "five photos").await;

    let photos = fake.photos();
    let mut to: Vec<i64> = photos.iter().map(|p| p.chat).collect();
    to.sort_unstable();
    assert_eq!(to, [11, 12, 13, 14, 15], "each subscriber exactly once");
    let uploads: Vec<&Vec<u8>> = photos.iter().filter_map(|p| p.upload.as_ref()).collect();
    assert_eq!(uploads.len(), 1, "the card is uploaded once, then sent by its file id");
    assert_eq!(png_size(uploads[0]), (1080, 1080));
    assert!(photos.iter().filter(|p| p.upload.is_none()).all(|p| p.file_id.as_deref() == Some("photo-1")));
    // Chats with no tip yet start with this week's.
    let tip = engine.campaign().current_tip(now()).expect("tip").expect("a tip").clone();
    let first_words: String = tip.text.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
    for p in &photos {
        let caption = p.caption.as_deref().expect("a caption");
        assert!(caption.contains("Mẹo cảnh giác tuần này") && caption.contains(&first_words), "{caption}");
        assert!(caption.chars().count() <= CAPTION_LIMIT);
    }
    assert!(fake.delivered().is_empty(), "the caption held the whole tip: no extra text message");
    let b = &store.broadcast_summaries(1).expect("summary")[0];
    assert_eq!((b.total(OutboxStatus::Sent), b.total(OutboxStatus::Failed)), (5, 0));
    // The card was cached on disk for the next process.
    assert!(std::fs::read_dir(dir.path()).expect("cards dir").count() == 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_telegram_refuses_falls_back_to_text_and_nobody_gets_the_tip_twice() {
    let Tg { fake, store, engine, tg, dir: _dir, _index } = telegram_with_cards(true).await;
    subscribe_private(&store, Channel::Telegram, &["21", "22", "23", "24"]);
    assert!(matches!(engine.campaign().tip_now("cli", now()).expect("tip"), TipNow::Queued { .. }));
    let worker = Worker::new(engine.campaign().clone()).channel(tg, ChannelLimits::telegram(100.0));
    run_worker(worker, || fake.delivered().len() >= 4, "four texts").await;
    let mut to: Vec<i64> = fake.delivered().iter().map(|d| d.chat).collect();
    to.sort_unstable();
    assert_eq!(to, [21, 22, 23, 24], "each subscriber exactly once, as text");
    assert!(fake.delivered().iter().all(|d| d.text.contains("Mẹo cảnh giác tuần này")));
    assert!(fake.photos().is_empty());
    assert_eq!(fake.calls("sendPhoto").len(), 4, "each tried the photo first");
    let b = &store.broadcast_summaries(1).expect("summary")[0];
    assert_eq!((b.total(OutboxStatus::Sent), b.total(OutboxStatus::Failed)), (4, 0));
}

fn zalo_follower(engine: &Engine, id: &str) {
    let inc = |kind| Incoming {
        user: UserRef { channel: Channel::Zalo, id: id.into() },
        chat: ChatRef { id: id.into(), kind: ChatKind::Private },
        kind,
        addressed: true,
    };
    engine.handle(&inc(IncomingKind::Joined)).expect("follow");
    engine.handle(&inc(IncomingKind::Button("ok:1:1".into()))).expect("agree");
    engine.handle(&inc(IncomingKind::Command { name: "dangky".into(), arg: String::new() })).expect("sub");
}

fn banners(fake: &fake_zalo::FakeZalo) -> Vec<Option<String>> {
    fake.calls("promotion_ok")
        .iter()
        .map(|c| {
            let elements = c.body["message"]["attachment"]["payload"]["elements"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            elements
                .iter()
                .find(|e| e["type"] == "banner")
                .and_then(|e| e["attachment_id"].as_str())
                .map(str::to_owned)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zalo_gets_the_card_as_an_image_and_as_the_promotions_banner_uploaded_again_when_expired() {
    let (fake, url) = fake_zalo::start("acc", "ref", "app-secret").await.expect("fake");
    let store = Arc::new(Store::in_memory().expect("store"));
    let dir = tempfile::tempdir().expect("cards");
    let (engine, _index) = engine_with_cards(store.clone(), dir.path());
    let engine = Arc::new(engine);
    for id in ["z1", "z2", "z3"] {
        zalo_follower(&engine, id);
    }
    let zalo = common::zalo_channel(&url, &engine);

    // `/meo` in a chat: the card as an image message, then the text.
    let meo = Incoming {
        user: UserRef { channel: Channel::Zalo, id: "z1".into() },
        chat: ChatRef { id: "z1".into(), kind: ChatKind::Private },
        kind: IncomingKind::Command { name: "meo".into(), arg: String::new() },
        addressed: true,
    };
    let replies = engine.handle(&meo).expect("meo");
    assert!(matches!(replies[0].attachment, Some(Attachment::Photo(_))));
    assert_eq!(zalo.send("z1", &replies[0]).await, canhgiac::channels::zalo::Delivery::Sent);
    let cs = fake.calls("cs");
    assert_eq!(cs[0].body["message"]["attachment"]["payload"]["elements"][0]["attachment_id"], "att-1");
    assert!(cs[1].body["message"]["text"].as_str().expect("text").contains("bấm giữ vào ảnh"));
    assert_eq!(png_size(&fake.uploads()[0]), (1080, 1080));

    // Zalo forgot that attachment: the weekly tip's banner is uploaded again, once.
    fake.expired.lock().expect("lock").push("att-1".into());
    assert!(matches!(engine.campaign().tip_now("cli", now()).expect("tip"), TipNow::Queued { .. }));
    let limits = ChannelLimits { window: None, ..ChannelLimits::zalo(50.0, 500) };
    let worker = Worker::new(engine.campaign().clone()).channel(zalo, limits);
    run_worker(worker, || fake.promotions().len() >= 3, "three promotions").await;
    let mut users: Vec<String> = fake.promotions().into_iter().map(|p| p.0).collect();
    users.sort();
    assert_eq!(users, ["z1", "z2", "z3"], "each follower exactly once");
    assert_eq!(banners(&fake), vec![Some("att-2".to_owned()); 3], "one new upload for everyone");
    assert_eq!(fake.uploads().len(), 2);
    assert!(fake.promotions().iter().all(|(_, header, _)| header.contains("Mẹo cảnh giác")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_zalo_upload_still_sends_the_tip_as_text_once() {
    let (fake, url) = fake_zalo::start("acc", "ref", "app-secret").await.expect("fake");
    fake.fail_uploads.store(true, std::sync::atomic::Ordering::SeqCst);
    let store = Arc::new(Store::in_memory().expect("store"));
    let dir = tempfile::tempdir().expect("cards");
    let (engine, _index) = engine_with_cards(store.clone(), dir.path());
    let engine = Arc::new(engine);
    for id in ["y1", "y2"] {
        zalo_follower(&engine, id);
    }
    assert!(matches!(engine.campaign().tip_now("cli", now()).expect("tip"), TipNow::Queued { .. }));
    let limits = ChannelLimits { window: None, ..ChannelLimits::zalo(50.0, 500) };
    let worker = Worker::new(engine.campaign().clone()).channel(common::zalo_channel(&url, &engine), limits);
    run_worker(worker, || fake.promotions().len() >= 2, "two promotions").await;
    assert_eq!(fake.promotions().len(), 2);
    assert_eq!(banners(&fake), [None, None], "text only");
    assert_eq!(fake.calls("upload").len(), 1, "a failed upload is not repeated for every follower");
    assert!(fake.promotions().iter().all(|(_, _, text)| !text.is_empty()));
}

fn telegram_meo(engine: &Engine, user: &str) -> Reply {
    let inc = Incoming {
        user: UserRef { channel: Channel::Telegram, id: user.into() },
        chat: ChatRef { id: user.into(), kind: ChatKind::Private },
        kind: IncomingKind::Command { name: "meo".into(), arg: String::new() },
        addressed: true,
    };
    engine.handle(&inc).expect("meo").remove(0)
}

#[test]
fn meo_shows_this_weeks_card_with_a_share_link_and_the_subscribe_button_until_subscribed() {
    let store = Arc::new(Store::in_memory().expect("store"));
    let dir = tempfile::tempdir().expect("cards");
    let (engine, _index) = engine_with_cards(store.clone(), dir.path());
    let engine = engine.with_public_url(Some("https://bot.so-kh.gov.vn/".into()));
    engine.set_telegram_username(Some("canhgiac_bot".into()));
    let r = telegram_meo(&engine, "7");
    let Some(Attachment::Photo(card)) = &r.attachment else { panic!("no card: {r:?}") };
    assert_eq!(png_size(&card.png), (1080, 1080));
    let text = r.body.to_plain();
    let tip = engine.campaign().current_tip(now()).expect("tip").expect("a tip");
    assert!(text.contains("Mẹo cảnh giác tuần này") && text.contains(tip.text.trim()), "{text}");
    let share = r.all_buttons().find_map(|b| b.url.clone()).expect("a share button");
    assert!(share.starts_with("https://t.me/share/url?url="), "{share}");
    assert!(share.contains("https%3A%2F%2Fbot.so-kh.gov.vn%2Fthe%2Ftip_"), "the card's address: {share}");
    assert!(share.contains("t.me%2Fcanhgiac_bot"), "the bot's link: {share}");
    assert!(r.all_buttons().any(|b| b.label.contains("Nhận mẹo")));
    // Subscribed: no subscribe button; nothing was stored for /meo itself.
    subscribe_private(&store, Channel::Telegram, &["7"]);
    let r = telegram_meo(&engine, "7");
    assert!(!r.all_buttons().any(|b| b.label.contains("Nhận mẹo")));
    assert!(store.user(&canhgiac::store::UserKey::new(Channel::Telegram, "8")).expect("user").is_none());
    telegram_meo(&engine, "8");
    assert!(
        store.user(&canhgiac::store::UserKey::new(Channel::Telegram, "8")).expect("user").is_none(),
        "/meo stores nothing about someone who has not agreed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_serves_cards_for_share_links() {
    let (_fake, url) = fake_telegram::start().await.expect("fake");
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(Store::open(data.path()).expect("store"));
    let (engine, _index) = engine_with_cards(store, &data.path().join("cards"));
    let served = common::spawn_serve(common::telegram_config(&url, data.path()), engine).await;
    let http = reqwest::Client::new();
    let r = http.get(format!("http://{}/the/nam_khong.png", served.addr)).send().await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(png_size(&r.bytes().await.expect("body")), (1080, 1080));
    let r = http
        .get(format!("http://{}/the/form_07_fake_lender-doc.png", served.addr))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(png_size(&r.bytes().await.expect("body")), (1080, 1350));
    for bad in ["khong_co.png", "..%2Fcanhgiac.sqlite3", "tip_001.jpg"] {
        let r = http.get(format!("http://{}/the/{bad}", served.addr)).send().await.expect("get");
        assert_eq!(r.status(), 404, "{bad}");
    }
    served.shutdown(15).await;
}
