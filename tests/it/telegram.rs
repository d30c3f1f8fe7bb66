//! Black-box tests of the Telegram channel: the real serving code against a fake Bot API that
//! the test starts on 127.0.0.1. Real update JSON in; assertions on the exact API calls out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use canhgiac::model::{Channel, Role};
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
    let mut cfg = common::telegram_config(&api_url, data.path());
    cfg.public_url = public_url.map(str::to_owned);
    cfg.telegram_webhook_secret = public_url.map(|_| canhgiac::config::Secret::new("s3cret-token"));
    let served = common::spawn_serve(cfg, engine).await;
    Bot {
        fake,
        listen: served.addr,
        stop: Some(served.stop),
        task: served.task,
        store,
        _dirs: (data, index_dir),
    }
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

    async fn wait_calls(&self, method: &str) -> Vec<Value> {
        for _ in 0..300 {
            let calls = self.fake.bodies(method);
            if !calls.is_empty() {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no {method} call");
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

use common::tg::{private as private_chat, text as text_update, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_polling_handles_every_kind_of_update() {
    let bot = start_bot(None).await;
    let commands = bot.fake.bodies("setMyCommands");
    assert_eq!(commands.len(), 1, "commands registered once");
    let polls: Vec<Value> = bot.wait_calls("getUpdates").await;
    assert!(polls[0].to_string().contains("poll_answer"), "asks for poll answers: {}", polls[0]);
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
    // messages (the edited message, group chatter and the duplicate produce nothing). Chats are
    // handled side by side, each in its own order.
    bot.wait_sends(6).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sends_after = bot.fake.bodies("sendMessage");
    assert_eq!(sends_after.len(), 6, "{sends_after:#?}");
    assert!(sends_after.iter().all(|s| s["parse_mode"] == "HTML"));
    let of =
        |chat: i64| -> Vec<Value> { sends_after.iter().filter(|s| s["chat_id"] == chat).cloned().collect() };
    let (private, group) = (of(111), of(-100_123));
    assert_eq!((private.len(), group.len()), (4, 2), "a reply to the bot in a group is answered");

    assert!(private[0]["text"].as_str().expect("text").contains("Xin chào anh/chị"));
    let kb = private[0]["reply_markup"]["inline_keyboard"].as_array().expect("keyboard");
    assert!(
        kb.iter()
            .filter_map(Value::as_array)
            .flatten()
            .all(|b| b["callback_data"].as_str().is_some_and(|d| d.len() <= 64))
    );

    let check = private[1]["text"].as_str().expect("text");
    assert!(check.starts_with("<b>🚨 LỪA ĐẢO</b>"), "{check}");
    assert!(!check.contains("<b>\"") && !check.contains(" <b>"), "user text is escaped: {check}");

    assert!(private[2]["text"].as_str().expect("text").contains("dán phần chữ"));
    assert!(group[0]["text"].as_str().expect("text").contains("Deepfake"));
    assert!(private[3]["text"].as_str().expect("text").contains("Năm không"));
    let acks = bot.fake.bodies("answerCallbackQuery");
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0]["callback_query_id"], "cbq-1");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_retried_and_blocked_users_marked_inactive() {
    let bot = start_bot(None).await;
    common::agree(&bot.store, Channel::Telegram, "111");
    *bot.fake.rate_limit_next_send.lock().expect("lock") = true;
    bot.fake.push_updates([text_update(1, private_chat(111), 111, "/dangky")]);
    let sends = bot.wait_sends(2).await; // 429, then the retry
    assert!(sends.len() >= 2);
    let last = sends.last().expect("send")["text"].as_str().expect("text").to_owned();
    assert!(last.contains("Đã đăng ký"), "{last}");
    assert_eq!(bot.store.subscribers(Channel::Telegram).expect("subs"), ["111"]);

    bot.fake.blocked_chats.lock().expect("lock").push(111);
    bot.fake.push_updates([text_update(2, private_chat(111), 111, "năm không")]);
    for _ in 0..200 {
        if bot.store.subscribers(Channel::Telegram).expect("subs").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(bot.store.subscribers(Channel::Telegram).expect("subs").is_empty(), "blocked → inactive");
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
    assert!(raw.contains("poll_answer") && raw.contains("my_chat_member"), "asks for poll answers: {raw}");
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
    let sends = bot.wait_sends(2).await; // five don'ts + the privacy notice
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bot.fake.bodies("sendMessage").len(), 2, "a repeated update_id is answered once");
    assert!(sends[0]["text"].as_str().expect("text").contains("Năm không"));
    assert!(sends[1]["text"].as_str().expect("text").contains("Thời hạn lưu"), "{}", sends[1]);
    let key = canhgiac::store::UserKey::new(Channel::Telegram, "555");
    assert_eq!(bot.store.user(&key).expect("user"), None, "nothing stored before consent");
    // "Đồng ý", pressed through Telegram.
    let press = json!({"update_id": 43, "callback_query": {"id": "cbq-ok", "from": user(555), "chat_instance": "ci",
        "data": "ok:1:0", "message": {"message_id": 9, "date": 1_700_000_000, "chat": private_chat(555), "text": "x"}}});
    let r = post(Some("s3cret-token"), press.to_string()).await.expect("post");
    assert_eq!(r.status(), 200);
    let thanks = bot.wait_sends(3).await;
    assert!(thanks[2]["text"].as_str().expect("text").contains("Cảm ơn anh/chị đã đồng ý"), "{}", thanks[2]);
    let u = bot.store.user(&key).expect("user").expect("row");
    assert_eq!(u.consent_version.as_deref(), Some(canhgiac::bot::Notice::default().version()));

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
    let cfg = Config::load_with(None, |_| None).expect("config");
    let served = common::spawn_serve(cfg, engine).await;
    let (listen, tx, task) = (served.addr, served.stop, served.task);
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
    tokio::time::timeout(Duration::from_secs(5), task).await.expect("stops").expect("join");
}

// Group quizzes: a trainer runs native quiz polls in a group; several users answer.

const GROUP: i64 = -100_777;
const TRAINER: i64 = 500;

fn group_chat() -> Value {
    json!({"id": GROUP, "type": "supergroup", "title": "Phòng Tổ chức"})
}

fn player(id: i64, first: &str, last: Option<&str>) -> Value {
    let mut u = json!({"id": id, "is_bot": false, "first_name": first});
    if let Some(l) = last {
        u["last_name"] = json!(l);
    }
    u
}

fn poll_answer(update_id: i64, poll_id: &str, voter: &Value, option: u64) -> Value {
    json!({"update_id": update_id, "poll_answer": {"poll_id": poll_id, "user": voter, "option_ids": [option]}})
}

impl Bot {
    async fn wait_polls(&self, n: usize) -> Vec<(String, Value)> {
        for _ in 0..500 {
            let polls = self.fake.polls();
            // Answers count once the bot has recorded the poll id it got back.
            if polls.len() >= n && self.store.poll(&polls[n - 1].0).expect("poll").is_some() {
                return polls;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("expected {n} polls, got {:#?}", self.fake.polls());
    }

    async fn wait_text(&self, part: &str) -> Value {
        for _ in 0..500 {
            if let Some(m) = self
                .fake
                .bodies("sendMessage")
                .into_iter()
                .find(|m| m["text"].as_str().is_some_and(|t| t.contains(part)))
            {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no message with {part:?}: {:#?}", self.fake.bodies("sendMessage"));
    }
}

fn text_of(m: &Value) -> &str {
    m["text"].as_str().expect("text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trainer_runs_a_ten_question_group_quiz_with_several_players() {
    let bot = start_bot(None).await;
    bot.store
        .set_role(&canhgiac::store::UserKey::new(Channel::Telegram, &TRAINER.to_string()), Role::Trainer)
        .expect("role");
    for id in [TRAINER, 601, 602, 603] {
        common::agree(&bot.store, Channel::Telegram, &id.to_string());
    }
    bot.fake.push_updates([text_update(1, group_chat(), 333, "/quiznhom 10")]);
    let refusal = bot.wait_text("dành cho người hướng dẫn").await;
    assert_eq!(refusal["chat_id"], GROUP);
    assert!(bot.fake.polls().is_empty(), "no quiz for a non-trainer");

    bot.fake.push_updates([text_update(2, group_chat(), TRAINER, "/quiznhom@canhgiac_bot 10 5s")]);
    let intro = bot.wait_text("Trắc nghiệm nhóm").await;
    assert!(text_of(&intro).contains("10 câu") && text_of(&intro).contains("5 giây"), "{intro}");
    assert!(text_of(&intro).contains("lưu tên anh/chị đang hiển thị"), "privacy notice: {intro}");

    // Lan answers everything right, Minh every other question, Hà never; Tư, who never agreed
    // to the privacy notice, answers too and is not recorded.
    let players = [
        player(601, "Lan", Some("Nguyễn")),
        player(602, "Minh", None),
        player(603, "Hà", Some("Trần")),
        player(604, "Tư", None),
    ];
    let mut update_id = 10;
    let mut expected = [0usize; 4];
    for i in 0..10 {
        let polls = bot.wait_polls(i + 1).await;
        let (poll_id, body) = &polls[i];
        let correct = body["correct_option_id"].as_u64().expect("correct option");
        let options = body["options"].as_array().expect("options").len() as u64;
        for (p, voter) in players.iter().enumerate() {
            let right = p == 0 || (p == 1 && i % 2 == 0);
            expected[p] += usize::from(right);
            let option = if right { correct } else { (correct + 1) % options };
            update_id += 1;
            bot.fake.push_updates([poll_answer(update_id, poll_id, voter, option)]);
        }
    }
    let board = bot.wait_text("Bảng xếp hạng").await;
    let board = text_of(&board).to_owned();
    assert_eq!(bot.fake.polls().len(), 10, "exactly the asked number of polls");

    let polls = bot.fake.polls();
    for (i, (_, p)) in polls.iter().enumerate() {
        assert_eq!(p["chat_id"], GROUP);
        assert_eq!(p["type"], "quiz");
        assert_eq!(p["is_anonymous"], false, "answers only come back from non-anonymous polls");
        assert_eq!(p["open_period"], 5);
        assert!(p["explanation"].as_str().is_some_and(|e| !e.is_empty() && e.chars().count() <= 200));
        let q = p["question"].as_str().expect("question");
        assert!(q.starts_with(&format!("Câu {}/10: ", i + 1)) && q.chars().count() <= 300, "{q}");
        assert!(p["options"].as_array().is_some_and(|o| (2..=12).contains(&o.len())));
    }
    let mut questions: Vec<&str> = polls.iter().filter_map(|(_, p)| p["question"].as_str()).collect();
    questions.sort_unstable();
    questions.dedup();
    assert_eq!(questions.len(), 10, "no question twice in a session");

    let lines: Vec<String> = ["Lan Nguyễn", "Minh", "Hà Trần"]
        .iter()
        .zip(expected)
        .map(|(name, n)| format!("{name}</b>: {n}/10 câu đúng"))
        .collect();
    let at: Vec<usize> =
        lines.iter().map(|l| board.find(l.as_str()).unwrap_or_else(|| panic!("{l} in {board}"))).collect();
    assert!(at[0] < at[1] && at[1] < at[2], "ranked by score: {board}");
    assert!(board.contains("3 người tham gia") && !board.contains("Tư"), "{board}");
    let tu = canhgiac::store::UserKey::new(Channel::Telegram, "604");
    assert!(bot.store.subject_data(&tu).expect("data").is_empty(), "nothing stored about Tư");

    // The trainer's results with the CSV file, in a private chat.
    bot.fake.push_updates([text_update(200, private_chat(TRAINER), TRAINER, "/ketqua csv")]);
    let results = bot.wait_text("Tỷ lệ trả lời đúng từng câu").await;
    assert_eq!(results["chat_id"], TRAINER);
    for _ in 0..200 {
        if !bot.fake.bodies("sendDocument").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let doc = bot.fake.bodies("sendDocument");
    let raw = doc.first().and_then(|d| d["raw"].as_str()).expect("multipart sendDocument");
    assert!(raw.contains("ket-qua-trac-nghiem-1.csv"), "{raw}");
    assert!(raw.contains(&format!("participant,1,Lan Nguyễn,{},10,10,100", expected[0])), "{raw}");

    // Leaving: /xoadulieu takes the name off the leaderboard.
    bot.fake.push_updates([text_update(201, private_chat(601), 601, "/xoadulieu")]);
    bot.wait_text("có chắc muốn xóa").await;
    bot.fake.push_updates([json!({"update_id": 202, "callback_query": {"id": "cbq-9", "from": players[0], "chat_instance": "ci",
        "data": "del:yes", "message": {"message_id": 12, "date": 1_700_000_000, "chat": private_chat(601), "text": "x"}}})]);
    bot.wait_text("Đã xóa toàn bộ dữ liệu").await;
    let names: Vec<Option<String>> =
        bot.store.standings(1).expect("standings").into_iter().map(|s| s.name).collect();
    assert_eq!(names, [Some("Minh".to_owned()), Some("Hà Trần".to_owned())]);
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dungquiz_ends_a_group_quiz_early_with_the_leaderboard() {
    let bot = start_bot(None).await;
    bot.store
        .set_role(&canhgiac::store::UserKey::new(Channel::Telegram, &TRAINER.to_string()), Role::Trainer)
        .expect("role");
    for id in [TRAINER, 601] {
        common::agree(&bot.store, Channel::Telegram, &id.to_string());
    }
    bot.fake.push_updates([text_update(1, group_chat(), TRAINER, "/quiznhom 5 otp khó")]);
    let polls = bot.wait_polls(1).await;
    let (poll_id, body) = &polls[0];
    let correct = body["correct_option_id"].as_u64().expect("correct");
    bot.fake.push_updates([
        poll_answer(2, poll_id, &player(601, "Lan", None), correct),
        text_update(3, group_chat(), TRAINER, "/quiznhom 3"),
    ]);
    bot.wait_text("Nhóm đang có một bài trắc nghiệm").await;
    bot.fake.push_updates([text_update(4, group_chat(), TRAINER, "/dungquiz")]);
    let board = bot.wait_text("Bảng xếp hạng").await;
    assert!(text_of(&board).contains("1 câu đã hỏi, 1 người tham gia"), "{board}");
    assert!(text_of(&board).contains("Lan</b>: 1/1 câu đúng"), "{board}");
    assert!(text_of(&board).contains("mức khó"), "{board}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(bot.fake.polls().len(), 1, "no poll after the quiz was stopped");
    bot.shutdown().await;
}

/// The callback data of the button whose label contains `label`, in the last message to
/// `chat` that has one.
fn button_data(bot: &Bot, chat: i64, label: &str) -> String {
    bot.fake
        .bodies("sendMessage")
        .iter()
        .rev()
        .filter(|m| m["chat_id"] == chat)
        .flat_map(|m| m["reply_markup"]["inline_keyboard"].as_array().cloned().unwrap_or_default())
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .find(|b| b["text"].as_str().is_some_and(|t| t.contains(label)))
        .and_then(|b| b["callback_data"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no button {label:?} for {chat}"))
}

impl Bot {
    /// Waits for a message to `chat` containing `part`.
    async fn wait_to(&self, chat: i64, part: &str) -> Value {
        for _ in 0..500 {
            if let Some(m) = self
                .fake
                .bodies("sendMessage")
                .into_iter()
                .find(|m| m["chat_id"] == chat && m["text"].as_str().is_some_and(|t| t.contains(part)))
            {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no message to {chat} with {part:?}: {:#?}", self.fake.bodies("sendMessage"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_report_is_confirmed_in_two_taps_the_reporter_hears_back_and_everyone_is_warned() {
    use common::tg;
    let bot = start_bot(None).await;
    let (reporter, admin, colleague) = (111, 222, 333);
    for id in [reporter, admin, colleague] {
        common::agree(&bot.store, Channel::Telegram, &id.to_string());
    }
    bot.store
        .set_role(&canhgiac::store::UserKey::new(Channel::Telegram, &admin.to_string()), Role::Admin)
        .expect("admin");
    let scam = "/baocaolua Cán bộ điều tra thông báo CCCD của anh liên quan vụ án. Gọi ngay 0912 345 678 để hợp tác.";
    bot.fake.push_updates([tg::text(1, tg::private(reporter), reporter, scam)]);
    bot.wait_to(reporter, "Tôi sẽ ghi nhận").await;
    let send = button_data(&bot, reporter, "báo kết quả");
    bot.fake.push_updates([tg::press(2, tg::private(reporter), reporter, &send)]);
    let thanks = bot.wait_to(reporter, "đã ghi nhận 1 mục").await;
    assert!(text_of(&thanks).contains("LD 0912345678"), "{thanks}");

    // The admin: /duyet, then one tap.
    bot.fake.push_updates([tg::text(3, tg::private(admin), admin, "/duyet")]);
    bot.wait_to(admin, "0912345678").await;
    let confirm = button_data(&bot, admin, "Xác nhận lừa đảo");
    bot.fake.push_updates([tg::press(4, tg::private(admin), admin, &confirm)]);
    bot.wait_to(admin, "Đã xác nhận lừa đảo").await;

    // The reporter hears back once, through the campaign worker.
    let told = bot.wait_to(reporter, "Kết quả báo cáo lừa đảo").await;
    assert!(text_of(&told).contains("đã xác nhận"), "{told}");

    // A colleague pastes the number alone, then a message with it.
    bot.fake.push_updates([tg::text(5, tg::private(colleague), colleague, "0912345678")]);
    let warned = bot.wait_to(colleague, "LỪA ĐẢO").await;
    assert!(text_of(&warned).contains("xác nhận là lừa đảo"), "{warned}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let feedback: Vec<Value> = bot
        .fake
        .bodies("sendMessage")
        .into_iter()
        .filter(|m| m["chat_id"] == reporter && text_of(m).contains("Kết quả báo cáo"))
        .collect();
    assert_eq!(feedback.len(), 1, "told once");
    bot.shutdown().await;
}
