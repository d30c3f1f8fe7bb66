//! Black-box tests of the Telegram channel: the real serving code against a fake Bot API that
//! the test starts on 127.0.0.1. Real update JSON in; assertions on the exact API calls out.

mod common;

use std::{sync::Arc, time::Duration};

use canhgiac::{
    config::Config,
    store::Store,
    testing::fake_telegram::{self, FakeTelegram},
};
use serde_json::{Value, json};

async fn start_fake() -> (Arc<FakeTelegram>, String) {
    fake_telegram::start().await.expect("fake Bot API")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

struct Bot {
    fake: Arc<FakeTelegram>,
    listen: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    store: Arc<Store>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn start_bot(public_url: Option<&str>) -> Bot {
    let (fake, api_url) = start_fake().await;
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(Store::open(data.path()).expect("store"));
    let (engine, index_dir) = common::engine_with(store.clone());
    let listen = format!("127.0.0.1:{}", free_port());
    let mut cfg = Config::load_with(None, |_| None).expect("config");
    cfg.telegram_bot_token = Some(canhgiac::config::Secret::new("123:TEST"));
    cfg.telegram_api_url = api_url;
    cfg.listen = listen.clone();
    cfg.data_dir = data.path().to_path_buf();
    cfg.public_url = public_url.map(str::to_owned);
    cfg.telegram_webhook_secret = public_url.map(|_| canhgiac::config::Secret::new("s3cret-token"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        canhgiac::server::serve(cfg, Arc::new(engine), async move {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    // Wait until the server answers.
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("http://{listen}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Bot { fake, listen, stop: Some(tx), task, store, _dirs: (data, index_dir) }
}

impl Bot {
    async fn wait_sends(&self, n: usize) -> Vec<Value> {
        for _ in 0..300 {
            let sends = self.fake.bodies("sendMessage");
            if sends.len() >= n {
                return sends;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("expected {n} sendMessage calls, got {:?}", self.fake.bodies("sendMessage"));
    }

    async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .expect("graceful stop")
            .expect("join");
    }
}

fn user(id: i64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "Lan", "language_code": "vi"})
}

fn private_chat(id: i64) -> Value {
    json!({"id": id, "type": "private", "first_name": "Lan"})
}

fn text_update(update_id: i64, chat: Value, from: i64, text: &str) -> Value {
    let mut msg = json!({"message_id": update_id * 10, "date": 1_700_000_000, "chat": chat, "from": user(from), "text": text});
    if text.starts_with('/') {
        let len = text.split_whitespace().next().map_or(0, |w| w.encode_utf16().count());
        msg["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
    }
    json!({"update_id": update_id, "message": msg})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_polling_handles_every_kind_of_update() {
    let bot = start_bot(None).await;
    let commands = bot.fake.bodies("setMyCommands");
    assert_eq!(commands.len(), 1, "commands registered once");
    let names: Vec<&str> = commands[0]["commands"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["command"].as_str())
        .collect();
    for c in ["start", "kiemtra", "hoi", "quiz", "5khong", "baocao", "dangky", "huydangky", "xoadulieu"] {
        assert!(names.contains(&c), "{names:?}");
    }
    assert_eq!(bot.fake.bodies("deleteWebhook").len(), 1, "long polling clears any webhook");

    let forwarded = json!({"update_id": 2, "message": {"message_id": 20, "date": 1_700_000_000, "chat": private_chat(111),
        "from": user(111), "text": "Tai khoan cua quy khach bi khoa, vui long truy cap https://vietcombank-xacthuc.top de mo khoa <b>",
        "forward_origin": {"type": "user", "date": 1_699_999_000, "sender_user": user(222)}}});
    let sticker = json!({"update_id": 3, "message": {"message_id": 30, "date": 1_700_000_000, "chat": private_chat(111), "from": user(111),
        "sticker": {"file_id": "f", "file_unique_id": "u", "type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false}}});
    let edited = json!({"update_id": 4, "edited_message": {"message_id": 20, "date": 1_700_000_000, "edit_date": 1_700_000_100,
        "chat": private_chat(111), "from": user(111), "text": "sửa lại"}});
    let group = json!({"id": -100_123, "type": "supergroup", "title": "Phòng Hành chính"});
    let group_chatter = text_update(5, group.clone(), 333, "deepfake là gì");
    let group_mention = text_update(6, group.clone(), 333, "@canhgiac_bot deepfake là gì");
    let reply_to_bot = json!({"update_id": 8, "message": {"message_id": 80, "date": 1_700_000_000, "chat": group.clone(),
        "from": user(333), "text": "còn dấu hiệu nào khác của deepfake không",
        "reply_to_message": {"message_id": 79, "date": 1_700_000_000, "chat": group.clone(),
            "from": {"id": 999, "is_bot": true, "first_name": "canhgiac", "username": "canhgiac_bot"}, "text": "..."}}});
    let callback = json!({"update_id": 7, "callback_query": {"id": "cbq-1", "from": user(111), "chat_instance": "ci",
        "data": "m:5k", "message": {"message_id": 11, "date": 1_700_000_000, "chat": private_chat(111), "text": "menu"}}});
    let duplicate = text_update(1, private_chat(111), 111, "/start");
    bot.fake.push_updates([
        text_update(1, private_chat(111), 111, "/start"),
        forwarded,
        sticker,
        edited,
        group_chatter,
        group_mention,
        callback,
        reply_to_bot,
        duplicate,
    ]);
    // start, check, sticker help, group mention answer, five don'ts, group reply-to-bot answer = 6
    // messages (the edited message, group chatter and the duplicate produce nothing).
    let sends = bot.wait_sends(6).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sends_after = bot.fake.bodies("sendMessage");
    assert_eq!(sends_after.len(), 6, "{sends_after:#?}");
    assert_eq!(sends[5]["chat_id"], -100_123, "a reply to the bot in a group is answered");
    assert!(sends.iter().all(|s| s["parse_mode"] == "HTML"));

    assert_eq!(sends[0]["chat_id"], 111);
    assert!(sends[0]["text"].as_str().expect("text").contains("Xin chào anh/chị"));
    let kb = sends[0]["reply_markup"]["inline_keyboard"].as_array().expect("keyboard");
    assert!(
        kb.iter()
            .filter_map(Value::as_array)
            .flatten()
            .all(|b| b["callback_data"].as_str().is_some_and(|d| d.len() <= 64))
    );

    let check = sends[1]["text"].as_str().expect("text");
    assert!(check.starts_with("<b>🚨 LỪA ĐẢO</b>"), "{check}");
    assert!(!check.contains("<b>\"") && !check.contains(" <b>"), "user text is escaped: {check}");

    assert!(sends[2]["text"].as_str().expect("text").contains("dán phần chữ"));
    assert_eq!(sends[3]["chat_id"], -100_123);
    assert!(sends[3]["text"].as_str().expect("text").contains("Deepfake"));
    assert!(sends[4]["text"].as_str().expect("text").contains("Năm không"));
    let acks = bot.fake.bodies("answerCallbackQuery");
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0]["callback_query_id"], "cbq-1");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_retried_and_blocked_users_marked_inactive() {
    let bot = start_bot(None).await;
    *bot.fake.rate_limit_next_send.lock().expect("lock") = true;
    bot.fake.push_updates([text_update(1, private_chat(111), 111, "/dangky")]);
    let sends = bot.wait_sends(3).await; // 429, then the retry: privacy note + subscribed
    assert!(sends.len() >= 3);
    let last = sends.last().expect("send")["text"].as_str().expect("text").to_owned();
    assert!(last.contains("Đã đăng ký"), "{last}");
    assert_eq!(bot.store.subscribers("telegram").expect("subs"), ["111"]);

    bot.fake.blocked_chats.lock().expect("lock").push(111);
    bot.fake.push_updates([text_update(2, private_chat(111), 111, "năm không")]);
    for _ in 0..200 {
        if bot.store.subscribers("telegram").expect("subs").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(bot.store.subscribers("telegram").expect("subs").is_empty(), "blocked → inactive");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_checks_the_secret_and_answers_each_update_once() {
    let bot = start_bot(Some("https://bot.example.gov.vn/")).await;
    let hooks = bot.fake.bodies("setWebhook");
    assert_eq!(hooks.len(), 1);
    let raw = hooks[0].to_string();
    assert!(raw.contains("https://bot.example.gov.vn/webhooks/telegram"), "{raw}");
    assert!(raw.contains("s3cret-token"), "{raw}");
    assert!(bot.fake.bodies("getUpdates").is_empty(), "no polling in webhook mode");

    let client = reqwest::Client::new();
    let url = format!("http://{}/webhooks/telegram", bot.listen);
    let body = text_update(42, private_chat(555), 555, "/5khong").to_string();
    let post = |secret: Option<&str>, body: String| {
        let mut r = client.post(&url).header("content-type", "application/json").body(body);
        if let Some(s) = secret {
            r = r.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        r.send()
    };
    assert_eq!(post(None, body.clone()).await.expect("post").status(), 401);
    assert_eq!(post(Some("wrong"), body.clone()).await.expect("post").status(), 401);
    assert_eq!(post(Some("s3cret-token"), "{not json".into()).await.expect("post").status(), 400);
    assert_eq!(post(Some("s3cret-token"), body.clone()).await.expect("post").status(), 200);
    assert_eq!(
        post(Some("s3cret-token"), body.clone()).await.expect("post").status(),
        200,
        "redelivery is accepted"
    );
    let sends = bot.wait_sends(2).await; // privacy note + five don'ts
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bot.fake.bodies("sendMessage").len(), 2, "a repeated update_id is answered once");
    assert!(sends[1]["text"].as_str().expect("text").contains("Năm không"));

    let metrics = client
        .get(format!("http://{}/metrics", bot.listen))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("canhgiac_webhook_rejected_total 3"), "{metrics}");
    assert!(metrics.contains("canhgiac_duplicate_updates_total 1"), "{metrics}");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_without_tokens_starts_and_serves_healthz() {
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(Store::open(data.path()).expect("store"));
    let (engine, _index) = common::engine_with(store);
    let listen = format!("127.0.0.1:{}", free_port());
    let mut cfg = Config::load_with(None, |_| None).expect("config");
    cfg.listen = listen.clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(canhgiac::server::serve(cfg, Arc::new(engine), async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let mut ok = false;
    for _ in 0..100 {
        if let Ok(r) = client.get(format!("http://{listen}/healthz")).send().await {
            ok = r.status() == 200 && r.text().await.expect("text") == "ok\n";
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok, "healthz answers");
    let r = client.post(format!("http://{listen}/webhooks/telegram")).body("{}").send().await.expect("post");
    assert_eq!(r.status(), 404, "no webhook route without Telegram");
    let _ = tx.send(());
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("stops")
        .expect("join")
        .expect("serve ok");
}
