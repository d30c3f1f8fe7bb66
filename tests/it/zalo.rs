//! Black-box tests of the Zalo OA channel: the real serving code against a fake Zalo API on
//! 127.0.0.1; signed and forged webhooks, every event type, token refresh and error codes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use canhgiac::model::action::{Action, MenuItem};
use canhgiac::model::{Channel, Role};
use std::{sync::Arc, time::Duration};

use canhgiac::{
    bot::{Button, Reply},
    channels::zalo::{Delivery, Zalo, ZaloSettings, mac},
    config::{Config, Secret},
    metrics::Metrics,
    rich::Rich,
    store::Store,
    testing::fake_zalo::{self, FakeZalo},
};
use serde_json::{Value, json};

const APP_ID: &str = "360846524940903967";
const OA_SECRET: &str = "oa-secret-key";
const APP_SECRET: &str = "app-secret";

struct Oa {
    fake: Arc<FakeZalo>,
    url: String,
    store: Arc<Store>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn start_oa() -> Oa {
    let (fake, api) = fake_zalo::start("access-0", "refresh-0", APP_SECRET).await.expect("fake zalo");
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(Store::open(data.path()).expect("store"));
    let (engine, index) = common::engine_with(store.clone());
    let mut cfg = Config::load_with(None, |_| None).expect("config");
    cfg.zalo_app_id = Some(APP_ID.into());
    cfg.zalo_app_secret = Some(Secret::new(APP_SECRET));
    cfg.zalo_oa_secret_key = Some(Secret::new(OA_SECRET));
    cfg.zalo_access_token = Some(Secret::new("access-0"));
    cfg.zalo_refresh_token = Some(Secret::new("refresh-0"));
    cfg.zalo_api_url = api.clone();
    cfg.zalo_oauth_url = api;
    let served = common::spawn_serve(cfg, engine).await;
    Oa {
        fake,
        url: format!("http://{}/webhooks/zalo", served.addr),
        store,
        stop: Some(served.stop),
        _dirs: (data, index),
    }
}

/// Now in milliseconds, as Zalo stamps its events (older events are refused).
fn now_ms() -> String {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis().to_string()
}

fn event(name: &str, user: &str, msg_id: &str, text: &str) -> Value {
    json!({"app_id": APP_ID, "sender": {"id": user}, "user_id_by_app": "552177279717587730",
        "recipient": {"id": "388613280878808645"}, "event_name": name,
        "message": {"text": text, "msg_id": msg_id}, "timestamp": now_ms()})
}

impl Oa {
    async fn post_raw(&self, body: &[u8], signature: Option<String>) -> u16 {
        let mut r = reqwest::Client::new()
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(s) = signature {
            r = r.header("X-ZEvent-Signature", s);
        }
        r.send().await.expect("post").status().as_u16()
    }

    async fn post(&self, v: &Value) -> u16 {
        let body = v.to_string();
        let ts = v["timestamp"].as_str().unwrap_or("").to_owned();
        self.post_raw(body.as_bytes(), Some(format!("mac={}", mac(APP_ID, body.as_bytes(), &ts, OA_SECRET))))
            .await
    }

    async fn wait_cs(&self, n: usize) -> Vec<Value> {
        for _ in 0..250 {
            let c = self.fake.calls("cs");
            if c.len() >= n {
                return c.into_iter().map(|c| c.body).collect();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("expected {n} sends, got {:#?}", self.fake.calls("cs"));
    }

    async fn settle(&self) -> usize {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.fake.calls("cs").len()
    }
}

impl Drop for Oa {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

fn text_of(v: &Value) -> &str {
    v["message"]["text"].as_str().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_events_are_answered_through_the_oa_api() {
    let oa = start_oa().await;
    assert_eq!(
        oa.post(&json!({"app_id": APP_ID, "oa_id": "388613280878808645", "follower": {"id": "u1"},
        "user_id_by_app": "552", "event_name": "follow", "source": "oa_profile", "timestamp": now_ms()}))
            .await,
        200
    );
    let sends = oa.wait_cs(1).await;
    assert_eq!(sends[0]["recipient"]["user_id"], "u1");
    assert!(text_of(&sends[0]).contains("Xin chào anh/chị") && text_of(&sends[0]).contains("Quyền riêng tư"));
    let buttons = sends[0]["message"]["attachment"]["payload"]["buttons"].as_array().expect("menu buttons");
    assert!(buttons.len() <= 5 && !buttons.is_empty());
    assert!(buttons.iter().all(
        |b| b["type"] == "oa.query.hide" && b["payload"].as_str().is_some_and(|p| p.starts_with("#cg:"))
    ));
    assert_eq!(oa.fake.calls("cs")[0].credential, "access-0", "access_token header");

    let check = event(
        "user_send_text",
        "u1",
        "m-2",
        "Tai khoan cua quy khach bi khoa, vui long truy cap https://vietcombank-xacthuc.top de mo khoa",
    );
    assert_eq!(oa.post(&check).await, 200);
    let sends = oa.wait_cs(2).await;
    assert!(text_of(&sends[1]).starts_with("🚨 LỪA ĐẢO"), "{}", text_of(&sends[1]));

    // Pressing a button arrives as the user's text: the payload.
    let why = sends[1]["message"]["attachment"]["payload"]["buttons"][0]["payload"]
        .as_str()
        .expect("payload")
        .to_owned();
    assert_eq!(oa.post(&event("user_send_text", "u1", "m-3", &why)).await, 200);
    let sends = oa.wait_cs(3).await;
    assert!(text_of(&sends[2]).contains("Lý do"), "{}", text_of(&sends[2]));
    for s in &sends {
        assert!(text_of(s).chars().count() <= 2000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_missing_malformed_and_oversized_requests_are_rejected() {
    let oa = start_oa().await;
    let e = event("user_send_text", "u2", "m-1", "xin chào");
    let ts = e["timestamp"].as_str().expect("ts").to_owned();
    let body = e.to_string();
    assert_eq!(oa.post_raw(body.as_bytes(), None).await, 401, "missing signature");
    assert_eq!(oa.post_raw(body.as_bytes(), Some("mac=deadbeef".into())).await, 401, "forged signature");
    let other = mac(APP_ID, b"{}", &ts, OA_SECRET);
    assert_eq!(oa.post_raw(body.as_bytes(), Some(other)).await, 401, "signature of another body");
    assert_eq!(oa.post_raw(b"{not json", Some("mac=00".into())).await, 400);
    let huge = format!("{{\"event_name\":\"user_send_text\",\"pad\":\"{}\"}}", "x".repeat(200_000));
    assert_eq!(
        oa.post_raw(huge.as_bytes(), None).await,
        401,
        "no signature: refused before the body is read"
    );
    assert_eq!(oa.post_raw(huge.as_bytes(), Some("mac=00".into())).await, 413);
    // A genuine signature on an old event (a replay) or on one without a timestamp.
    for stamp in [json!("1700000000000"), json!(""), Value::Null] {
        let mut old = event("user_send_text", "u2", "m-old", "xin chào");
        old["timestamp"] = stamp;
        assert_eq!(oa.post(&old).await, 401, "stale or missing timestamp: {}", old["timestamp"]);
    }
    let good = mac(APP_ID, body.as_bytes(), &ts, OA_SECRET);
    assert_eq!(oa.post_raw(body.as_bytes(), Some(good)).await, 200, "signature without the mac= prefix");
    oa.wait_cs(1).await;
    assert_eq!(oa.settle().await, 2, "only the genuine event was answered (privacy note + answer)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_echoes_media_links_and_unfollow() {
    let oa = start_oa().await;
    let e = event("user_send_text", "u3", "dup-1", "năm không");
    assert_eq!(oa.post(&e).await, 200);
    assert_eq!(oa.post(&e).await, 200, "a redelivery is acknowledged");
    oa.wait_cs(2).await;
    assert_eq!(oa.settle().await, 2, "…and handled once");
    let mut echo = event("oa_send_text", "388613280878808645", "echo-1", "Năm không");
    echo["recipient"] = json!({"id": "u3"});
    assert_eq!(oa.post(&echo).await, 200);
    assert_eq!(oa.settle().await, 2, "the OA's own echo is ignored");

    let mut image = event("user_send_image", "u3", "img-1", "");
    image["message"]["attachments"] =
        json!([{"type": "image", "payload": {"thumbnail": "t", "url": "https://example.zdn.vn/i.jpg"}}]);
    assert_eq!(oa.post(&image).await, 200);
    let sends = oa.wait_cs(3).await;
    assert!(text_of(&sends[2]).contains("dán phần chữ"));

    let mut link = event("user_send_link", "u3", "link-1", "");
    link["message"]["attachments"] = json!([{"type": "link", "payload": {"url": "https://vietcombank-xacthuc.top/login", "description": "", "thumbnail": ""}}]);
    assert_eq!(oa.post(&link).await, 200);
    let sends = oa.wait_cs(4).await;
    assert!(text_of(&sends[3]).starts_with("🚨 LỪA ĐẢO"), "links are checked: {}", text_of(&sends[3]));

    assert_eq!(oa.post(&event("user_send_text", "u3", "m-4", "tôi đồng ý")).await, 200);
    oa.wait_cs(5).await;
    assert_eq!(oa.post(&event("user_send_text", "u3", "m-5", "đăng ký")).await, 200);
    oa.wait_cs(6).await;
    assert_eq!(oa.store.subscribers(Channel::Zalo).expect("subs"), ["u3"]);
    assert_eq!(
        oa.post(&json!({"app_id": APP_ID, "oa_id": "oa", "follower": {"id": "u3"}, "event_name": "unfollow",
        "timestamp": now_ms()}))
            .await,
        200
    );
    for _ in 0..100 {
        if oa.store.subscribers(Channel::Zalo).expect("subs").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(oa.store.subscribers(Channel::Zalo).expect("subs").is_empty(), "unfollow → no more pushes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_text_commands_and_the_quiz_work_on_zalo() {
    let oa = start_oa().await;
    assert_eq!(oa.post(&event("user_send_text", "u4", "c-1", "5 không")).await, 200);
    let s = oa.wait_cs(2).await;
    assert!(text_of(&s[0]).contains("Năm không"), "{}", text_of(&s[0]));
    assert!(text_of(&s[1]).contains("Thời hạn lưu"), "then the privacy notice: {}", text_of(&s[1]));
    assert_eq!(oa.post(&event("user_send_text", "u4", "c-2", "hỏi deepfake là gì")).await, 200);
    let s = oa.wait_cs(3).await;
    assert!(text_of(&s[2]).contains("Deepfake"));
    assert_eq!(
        oa.post(&event("user_send_text", "u4", "c-3", "kiểm tra chiều nay họp lúc 3 giờ nhé")).await,
        200
    );
    let s = oa.wait_cs(4).await;
    assert!(text_of(&s[3]).contains("CHƯA THẤY DẤU HIỆU"));
    // The quiz stores progress: it waits for consent, which a Zalo user may type.
    assert_eq!(oa.post(&event("user_send_text", "u4", "c-4", "quiz")).await, 200);
    let s = oa.wait_cs(5).await;
    assert!(text_of(&s[4]).contains("đồng ý trước"), "{}", text_of(&s[4]));
    assert_eq!(oa.post(&event("user_send_text", "u4", "c-5", "Đồng ý")).await, 200);
    let s = oa.wait_cs(6).await;
    assert!(text_of(&s[5]).contains("Cảm ơn anh/chị đã đồng ý"), "{}", text_of(&s[5]));
    assert_eq!(oa.post(&event("user_send_text", "u4", "c-6", "quiz")).await, 200);
    let s = oa.wait_cs(8).await;
    assert!(text_of(&s[7]).starts_with("Câu 1/10"), "{}", text_of(&s[7]));
    let answers = s[7]["message"]["attachment"]["payload"]["buttons"].as_array().expect("answer buttons");
    assert!((3..=4).contains(&answers.len()));
    let a = answers[0]["payload"].as_str().expect("payload").to_owned();
    assert_eq!(oa.post(&event("user_send_text", "u4", "c-7", &a)).await, 200);
    let s = oa.wait_cs(10).await;
    assert!(text_of(&s[8]).starts_with("✅") || text_of(&s[8]).starts_with("❌"));
    assert!(text_of(&s[9]).starts_with("Câu 2/10"));
}

fn settings(api: &str) -> ZaloSettings {
    ZaloSettings {
        app_id: APP_ID.into(),
        app_secret: APP_SECRET.into(),
        oa_secret_key: OA_SECRET.into(),
        api_url: api.into(),
        oauth_url: api.into(),
        access_token: Some("access-0".into()),
        refresh_token: Some("refresh-0".into()),
        rate_limit_backoff: Duration::from_millis(50),
    }
}

fn hello() -> Reply {
    Reply::with_buttons(
        Rich::new().para("Xin chào"),
        vec![vec![Button::new("Menu", Action::Menu(MenuItem::Menu))]],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_refreshed_once_and_the_new_refresh_token_survives_a_restart() {
    let (fake, api) = fake_zalo::start("access-0", "refresh-0", APP_SECRET).await.expect("fake");
    let dir = tempfile::tempdir().expect("data");
    {
        let store = Arc::new(Store::open(dir.path()).expect("store"));
        let (engine, _i) = common::engine_with(store.clone());
        let zalo = Zalo::new(settings(&api), Arc::new(engine), store.clone(), Arc::new(Metrics::default()))
            .expect("zalo");
        assert_eq!(zalo.send("u5", &hello()).await, Delivery::Sent);
        fake.expire_access();
        assert_eq!(zalo.send("u5", &hello()).await, Delivery::Sent, "refreshed and retried");
        let token_calls = fake.calls("token");
        assert_eq!(token_calls.len(), 1, "one refresh");
        assert_eq!(token_calls[0].credential, APP_SECRET, "secret_key header");
        assert!(
            token_calls[0].body["form"].as_str().is_some_and(
                |f| f.contains("refresh_token=refresh-0") && f.contains("grant_type=refresh_token")
            )
        );
        assert_eq!(store.kv_get("zalo.refresh_token").expect("kv").as_deref(), Some("refresh-1"));
        let cs = fake.calls("cs");
        assert_eq!(cs.last().expect("retry").credential, "access-1");
    }
    // Restart: configuration still holds the spent tokens; the store has the new pair.
    let store = Arc::new(Store::open(dir.path()).expect("reopen"));
    let (engine, _i) = common::engine_with(store.clone());
    let zalo = Zalo::new(settings(&api), Arc::new(engine), store.clone(), Arc::new(Metrics::default()))
        .expect("zalo");
    assert_eq!(zalo.send("u5", &hello()).await, Delivery::Sent);
    assert_eq!(
        fake.calls("cs").last().expect("send").credential,
        "access-1",
        "stored token used after restart"
    );
    fake.expire_access();
    assert_eq!(zalo.send("u5", &hello()).await, Delivery::Sent);
    assert_eq!(fake.calls("token").len(), 2);
    assert_eq!(
        store.kv_get("zalo.refresh_token").expect("kv").as_deref(),
        Some("refresh-2"),
        "the stored refresh token was the valid one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_error_code_is_handled() {
    let (fake, api) = fake_zalo::start("access-0", "refresh-0", APP_SECRET).await.expect("fake");
    let store = Arc::new(Store::in_memory().expect("store"));
    let (engine, _i) = common::engine_with(store.clone());
    let zalo = Zalo::new(settings(&api), Arc::new(engine), store.clone(), Arc::new(Metrics::default()))
        .expect("zalo");

    // Outside the 7-day window: recorded, not retried.
    fake.unreachable.lock().expect("lock").push("gone".into());
    assert_eq!(zalo.send("gone", &hello()).await, Delivery::Unreachable);
    assert_eq!(fake.calls("cs").len(), 1, "no retry");
    assert_eq!(store.totals("zalo_unreachable").expect("totals"), [("user".to_owned(), 1)]);

    // Rate limited: back off, retry once.
    *fake.rate_limit_next.lock().expect("lock") = true;
    assert_eq!(zalo.send("u6", &hello()).await, Delivery::Sent);
    assert_eq!(fake.calls("cs").len(), 3);

    // A refresh token the server refuses: the send fails cleanly after one refresh attempt.
    fake.expire_access();
    *fake.refresh.lock().expect("lock") = "someone-else".into();
    assert_eq!(zalo.send("u6", &hello()).await, Delivery::Failed);
    assert_eq!(fake.calls("token").len(), 1);

    // Long replies are split at 2000 characters; buttons capped at 5, on the last part.
    *fake.access.lock().expect("lock") = "access-0".into();
    let store = Arc::new(Store::in_memory().expect("store"));
    let (engine, _j) = common::engine_with(store.clone());
    let zalo =
        Zalo::new(settings(&api), Arc::new(engine), store, Arc::new(Metrics::default())).expect("zalo");
    let mut body = Rich::new();
    for i in 0..40 {
        body = body.para(format!("Đoạn {i}: {}", "nội dung ".repeat(12)));
    }
    let buttons = vec![
        (0..7)
            .map(|i| Button::new(&format!("Nút {i}"), Action::QuizAnswer { index: 0, option: i }))
            .collect(),
    ];
    let before = fake.calls("cs").len();
    assert_eq!(zalo.send("u7", &Reply::with_buttons(body, buttons)).await, Delivery::Sent);
    let parts: Vec<Value> = fake.calls("cs")[before..].iter().map(|c| c.body.clone()).collect();
    assert!(parts.len() >= 2);
    assert!(parts.iter().all(|p| text_of(p).chars().count() <= 2000 && text_of(p).starts_with("Đoạn ")));
    assert!(parts[..parts.len() - 1].iter().all(|p| p["message"].get("attachment").is_none()));
    let last = parts.last().expect("last");
    assert_eq!(last["message"]["attachment"]["payload"]["buttons"].as_array().expect("buttons").len(), 5);
}

impl Oa {
    /// Posts a text from `user` and waits for a message to them containing `part`; returns
    /// every message to them sent in answer, in order.
    async fn say(&self, user: &str, msg_id: &str, text: &str, part: &str) -> Vec<Value> {
        let before = self.fake.calls("cs").len();
        assert_eq!(self.post(&event("user_send_text", user, msg_id, text)).await, 200);
        for _ in 0..250 {
            let new: Vec<Value> = self.fake.calls("cs")[before..]
                .iter()
                .map(|c| c.body.clone())
                .filter(|b| b["recipient"]["user_id"] == user)
                .collect();
            if new.iter().any(|b| text_of(b).contains(part)) {
                return new;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no message to {user} with {part:?}: {:#?}", self.fake.calls("cs"));
    }
}

/// The payload of the button for the right (or a wrong) answer to the question in `msg`,
/// found in the real quiz bank by its text.
fn answer_payload(msg: &Value, right: bool) -> String {
    let text = text_of(msg);
    let content = common::content();
    let q = content
        .quiz
        .iter()
        .find(|q| text.contains(q.question.trim()))
        .unwrap_or_else(|| panic!("a question from the bank: {text}"));
    let correct = q.correct_index();
    let pick = if right { correct } else { (correct + 1) % q.options.len() };
    let buttons = msg["message"]["attachment"]["payload"]["buttons"].as_array().expect("answer buttons");
    assert_eq!(buttons.len(), q.options.len());
    buttons[pick]["payload"].as_str().expect("payload").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trainer_opens_a_session_with_a_code_and_sees_the_leaderboard() {
    let oa = start_oa().await;
    oa.store
        .set_role(&canhgiac::store::UserKey::new(Channel::Zalo, "trainer-1"), Role::Trainer)
        .expect("role");
    common::agree(&oa.store, Channel::Zalo, "trainer-1");
    let refused = oa.say("someone", "s-1", "quiz nhóm 3", "dành cho người hướng dẫn").await;
    assert_eq!(refused.len(), 1, "the refusal only");

    let opened = oa.say("trainer-1", "t-1", "quiz nhóm 3 deepfake", "Mã tham gia").await;
    let text = text_of(opened.last().expect("reply"));
    let code: String = text.split("Mã tham gia: ").nth(1).expect("code").chars().take(6).collect();
    assert!(text.contains("3 câu") && text.contains("Deepfake"), "{text}");

    // Lan joins with her name and answers everything right; the second player joins without
    // a name and answers everything wrong.
    let players = [
        ("p-lan", format!("{} Nguyễn Lan", code.to_lowercase()), true),
        ("p-2", format!("tham gia {code}"), false),
    ];
    // Joining stores a name: Lan types her consent, the other presses the button.
    for (user, agree) in [("p-lan", "đồng ý"), ("p-2", "#cg:ok:1:0")] {
        let first = oa.say(user, &format!("{user}-code"), &players[0].1, "đồng ý trước").await;
        assert!(first.iter().all(|m| !text_of(m).contains("Câu 1/3")), "no question before consent");
        oa.say(user, &format!("{user}-agree"), agree, "Cảm ơn anh/chị đã đồng ý").await;
    }
    for (user, join, right) in &players {
        let mut got = oa.say(user, &format!("{user}-join"), join, "Câu 1/3").await;
        assert!(
            got.iter().any(|m| text_of(m).contains("lưu tên anh/chị đang hiển thị")),
            "privacy: {got:#?}"
        );
        for i in 1..=3 {
            let question =
                got.iter().rev().find(|m| text_of(m).contains(&format!("Câu {i}/3"))).expect("question");
            let payload = answer_payload(question, *right);
            let expect =
                if i < 3 { format!("Câu {}/3", i + 1) } else { "Anh/chị đã hoàn thành".to_owned() };
            got = oa.say(user, &format!("{user}-{i}"), &payload, &expect).await;
            let verdict = if *right { "Chính xác" } else { "Chưa đúng" };
            assert!(text_of(&got[0]).contains(verdict), "{}", text_of(&got[0]));
        }
        let done = text_of(got.last().expect("score"));
        assert!(done.contains(&format!("{}/3 câu đúng", if *right { 3 } else { 0 })), "{done}");
    }
    let again = oa.say("p-lan", "p-lan-again", "#cg:g:1:0:0", "đã được trả lời").await;
    assert_eq!(again.len(), 1, "an old button does not count twice");

    let board = oa.say("trainer-1", "t-2", "Kết quả", "Bảng xếp hạng").await;
    let board = text_of(&board[0]);
    let (lan, other) =
        (board.find("Nguyễn Lan: 3/3").expect("Lan first"), board.find("Người tham gia 2: 0/3"));
    assert!(other.is_some_and(|o| lan < o), "{board}");
    assert!(board.contains("Tỷ lệ trả lời đúng từng câu") && board.contains("1/2 đúng (50%)"), "{board}");

    let closed = oa.say("trainer-1", "t-3", "dừng quiz", "Bảng xếp hạng").await;
    assert!(text_of(&closed[0]).contains("2 người tham gia"));
    common::agree(&oa.store, Channel::Zalo, "p-3");
    let late = oa.say("p-3", "p-3-join", &format!("/thamgia {code}"), "Mã này không đúng").await;
    assert_eq!(late.len(), 1, "a closed session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_typed_on_zalo_is_reviewed_and_the_reporter_hears_back_as_a_reply() {
    let oa = start_oa().await;
    for id in ["rep", "adm", "col"] {
        common::agree(&oa.store, Channel::Zalo, id);
    }
    oa.store.set_role(&canhgiac::store::UserKey::new(Channel::Zalo, "adm"), Role::Admin).expect("admin");
    let draft = oa
        .say(
            "rep",
            "r-1",
            "Báo cáo lừa đảo: nó bảo chuyển khoản vào STK 0123456789 Techcombank",
            "Tôi sẽ ghi nhận",
        )
        .await;
    let text = text_of(draft.last().expect("draft"));
    assert!(text.contains("số tài khoản 0123456789 (Techcombank)"), "{text}");
    let buttons = draft.last().expect("draft")["message"]["attachment"]["payload"]["buttons"].clone();
    let send = buttons
        .as_array()
        .expect("buttons")
        .iter()
        .find(|b| b["title"].as_str().is_some_and(|t| t.contains("báo kết quả")))
        .and_then(|b| b["payload"].as_str())
        .expect("send and tell me")
        .to_owned();
    oa.say("rep", "r-2", &send, "đã ghi nhận 1 mục").await;

    let review = oa.say("adm", "a-1", "duyệt", "0123456789").await;
    let confirm = review
        .iter()
        .flat_map(|m| {
            m["message"]["attachment"]["payload"]["buttons"].as_array().cloned().unwrap_or_default()
        })
        .find(|b| b["title"].as_str().is_some_and(|t| t.contains("Xác nhận lừa đảo")))
        .and_then(|b| b["payload"].as_str().map(str::to_owned))
        .expect("confirm button");
    oa.say("adm", "a-2", &confirm, "Đã xác nhận lừa đảo").await;

    // The outcome reaches the reporter as a consultation message (not a promotion).
    let mut told = None;
    for _ in 0..250 {
        told = oa
            .fake
            .calls("cs")
            .into_iter()
            .map(|c| c.body)
            .find(|b| b["recipient"]["user_id"] == "rep" && text_of(b).contains("Kết quả báo cáo"));
        if told.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(told.is_some_and(|b| text_of(&b).contains("đã xác nhận")), "the reporter is told");
    assert!(oa.fake.promotions().is_empty(), "no promotion message for a personal reply");
    let warned = oa.say("col", "c-1", "kiểm tra STK 0123456789", "LỪA ĐẢO").await;
    assert!(warned.iter().any(|m| text_of(m).contains("xác nhận là lừa đảo")));
}
