//! A fake Telegram Bot API for tests and benchmarks: answers `getMe`, `getUpdates` (from a
//! queue), `sendMessage` (optionally rate-limited once, "blocked" for some chats, held back to
//! simulate a crash mid-request, or enforcing Telegram's limits with 429s), `sendPoll` (a
//! message with a poll whose id is `poll-N`, N counting from 1) and `sendDocument` (multipart,
//! recorded raw), and accepts every other method, recording each call with the time it arrived
//! and each delivered message.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::post,
};
use serde_json::{Value, json};

use crate::lock;

/// One recorded call.
#[derive(Debug, Clone)]
pub struct Call {
    /// Method name as sent.
    pub method: String,
    /// JSON body (multipart bodies are kept as `{"raw": "..."}`).
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
}

/// The fake's state, shared with the test.
#[derive(Debug, Default)]
pub struct FakeTelegram {
    calls: Mutex<Vec<Call>>,
    /// Updates served by the next `getUpdates`.
    pub updates: Mutex<VecDeque<Value>>,
    /// Answer the next `sendMessage` with 429 (retry after 1 s).
    pub rate_limit_next_send: Mutex<bool>,
    /// Chats whose user blocked the bot (403).
    pub blocked_chats: Mutex<Vec<i64>>,
    /// Enforce Telegram's limits: at most this many messages per second overall and one per
    /// second per chat; anything more gets 429 "retry after 1" and is not delivered.
    pub enforce_per_second: Mutex<Option<usize>>,
    /// Once this many messages were delivered, further `sendMessage` calls hang (as if the
    /// process were killed mid-request) and are never delivered.
    pub stall_after: Mutex<Option<usize>>,
    stall_generation: std::sync::atomic::AtomicU64,
    delivered: Mutex<Vec<Delivered>>,
    recent: Mutex<VecDeque<(Instant, i64)>>,
    /// Groups upgraded to supergroups: old chat id → new chat id (sends to the old id fail).
    pub migrated_chats: Mutex<Vec<(i64, i64)>>,
    /// 429 answers given because of [`FakeTelegram::enforce_per_second`].
    pub throttled: std::sync::atomic::AtomicUsize,
    /// Every `sendMessage` takes this long (a slow network), then goes through.
    pub send_delay: Mutex<Option<Duration>>,
    /// Load tests: record calls and deliveries without their bodies and texts (memory).
    pub lean: std::sync::atomic::AtomicBool,
    /// Refuse every `sendPhoto` (400), as Telegram does with an image it cannot process.
    pub fail_photos: std::sync::atomic::AtomicBool,
    photos: Mutex<Vec<Photo>>,
    /// Files users sent, by file id: `getFile` describes them and `GET /file/bot<token>/<path>`
    /// serves them.
    pub files: Mutex<std::collections::HashMap<String, Vec<u8>>>,
}

/// A photo the fake accepted.
#[derive(Debug, Clone)]
pub struct Photo {
    /// Chat id.
    pub chat: i64,
    /// The caption (HTML as sent).
    pub caption: Option<String>,
    /// The uploaded file (`None` when sent by a file id).
    pub upload: Option<Vec<u8>>,
    /// The file id it was sent by (`None` for an upload).
    pub file_id: Option<String>,
    /// The inline keyboard, as sent.
    pub reply_markup: Value,
}

/// A message the fake accepted.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// Chat id.
    pub chat: i64,
    /// Text as sent.
    pub text: String,
    /// When.
    pub at: Instant,
}

impl FakeTelegram {
    /// Calls of one method (case-insensitive), in order.
    #[must_use]
    pub fn calls(&self, method: &str) -> Vec<Call> {
        lock(&self.calls).iter().filter(|c| c.method.eq_ignore_ascii_case(method)).cloned().collect()
    }

    /// Bodies of the calls of one method.
    #[must_use]
    pub fn bodies(&self, method: &str) -> Vec<Value> {
        self.calls(method).into_iter().map(|c| c.body).collect()
    }

    /// Messages accepted by `sendMessage`, in order.
    #[must_use]
    pub fn delivered(&self) -> Vec<Delivered> {
        lock(&self.delivered).clone()
    }

    /// Ends the stall: requests held so far fail (their client is gone), new ones go through.
    pub fn release_stall(&self) {
        *lock(&self.stall_after) = None;
        self.stall_generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The polls sent so far: (poll id, request body), in order.
    #[must_use]
    pub fn polls(&self) -> Vec<(String, Value)> {
        self.bodies("sendPoll").into_iter().enumerate().map(|(i, b)| (poll_id(i + 1), b)).collect()
    }

    /// Photos accepted by `sendPhoto`, in order.
    #[must_use]
    pub fn photos(&self) -> Vec<Photo> {
        lock(&self.photos).clone()
    }

    /// Queues updates for `getUpdates`.
    pub fn push_updates(&self, updates: impl IntoIterator<Item = Value>) {
        lock(&self.updates).extend(updates);
    }
}

type Answer = (StatusCode, Json<Value>);

fn poll_id(n: usize) -> String {
    format!("poll-{n}")
}

fn chat_of(value: &Value) -> Value {
    let id = value["chat_id"].as_i64().or_else(|| value["chat_id"].as_str().and_then(|s| s.parse().ok()));
    match id {
        Some(id) if id < 0 => json!({"id": id, "type": "supergroup", "title": "G"}),
        Some(id) => json!({"id": id, "type": "private", "first_name": "X"}),
        None => json!({"id": 0, "type": "private", "first_name": "X"}),
    }
}

async fn api(
    State(fake): State<Arc<FakeTelegram>>,
    Path((_bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let is_json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let parts = super::multipart::parts(&content_type, &body);
    let value: Value = if is_json {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    } else if method.eq_ignore_ascii_case("sendPhoto") {
        // Text fields as JSON; the file stays out of the record.
        let mut v = serde_json::Map::new();
        for p in parts.iter().filter(|p| p.file_name.is_none()) {
            let text = p.text();
            v.insert(p.name.clone(), serde_json::from_str(&text).unwrap_or(Value::String(text)));
        }
        Value::Object(v)
    } else {
        json!({ "raw": String::from_utf8_lossy(&body) })
    };
    let lean = fake.lean.load(std::sync::atomic::Ordering::Relaxed);
    let recorded = if lean { json!({"chat_id": value["chat_id"]}) } else { value.clone() };
    lock(&fake.calls).push(Call { method: method.clone(), body: recorded, at: Instant::now() });
    let ok = |result: Value| (StatusCode::OK, Json(json!({ "ok": true, "result": result })));
    match method.to_ascii_lowercase().as_str() {
        "getme" => {
            ok(json!({"id": 999, "is_bot": true, "first_name": "canhgiac", "username": "canhgiac_bot",
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false}))
        }
        "getupdates" => {
            let batch: Vec<Value> = lock(&fake.updates).drain(..).collect();
            if batch.is_empty() {
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            ok(Value::Array(batch))
        }
        "sendmessage" => {
            let chat = value["chat_id"].as_i64().unwrap_or(0);
            if lock(&fake.blocked_chats).contains(&chat) {
                return (
                    StatusCode::FORBIDDEN,
                    Json(
                        json!({"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
                    ),
                );
            }
            if let Some((_, to)) = lock(&fake.migrated_chats).iter().find(|(from, _)| *from == chat) {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"ok": false, "error_code": 400,
                        "description": "Bad Request: group chat was upgraded to a supergroup chat",
                        "parameters": {"migrate_to_chat_id": to}})),
                );
            }
            let too_many = || {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(
                        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": 1}}),
                    ),
                )
            };
            {
                let mut limited = lock(&fake.rate_limit_next_send);
                if *limited {
                    *limited = false;
                    return too_many();
                }
            }
            let delay = *lock(&fake.send_delay);
            if let Some(d) = delay {
                tokio::time::sleep(d).await;
            }
            let generation = fake.stall_generation.load(std::sync::atomic::Ordering::SeqCst);
            let stalled = lock(&fake.stall_after).is_some_and(|n| lock(&fake.delivered).len() >= n);
            if stalled {
                while fake.stall_generation.load(std::sync::atomic::Ordering::SeqCst) == generation {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                return (
                    StatusCode::BAD_GATEWAY,
                    Json(json!({"ok": false, "error_code": 502, "description": "Bad Gateway"})),
                );
            }
            if let Some(max) = *lock(&fake.enforce_per_second) {
                let now = Instant::now();
                let mut recent = lock(&fake.recent);
                while recent.front().is_some_and(|(t, _)| now.duration_since(*t) >= Duration::from_secs(1)) {
                    recent.pop_front();
                }
                if recent.len() >= max || recent.iter().any(|(_, c)| *c == chat) {
                    fake.throttled.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return too_many();
                }
                recent.push_back((now, chat));
            }
            let text = if lean { String::new() } else { value["text"].as_str().unwrap_or("").to_owned() };
            lock(&fake.delivered).push(Delivered { chat, text, at: Instant::now() });
            ok(json!({"message_id": 500, "date": 1_700_000_000,
                "chat": {"id": chat, "type": "private", "first_name": "X"}, "text": value["text"]}))
        }
        "sendpoll" => {
            let n = lock(&fake.calls).iter().filter(|c| c.method.eq_ignore_ascii_case("sendPoll")).count();
            let options: Vec<Value> = value["options"]
                .as_array()
                .map(|o| o.iter().map(|o| json!({"text": o["text"], "voter_count": 0})).collect())
                .unwrap_or_default();
            ok(json!({"message_id": 600 + n, "date": 1_700_000_000, "chat": chat_of(&value),
                "poll": {"id": poll_id(n), "question": value["question"], "options": options,
                    "total_voter_count": 0, "is_closed": false, "is_anonymous": value["is_anonymous"].as_bool().unwrap_or(true),
                    "type": value["type"].as_str().unwrap_or("regular"), "allows_multiple_answers": false,
                    "correct_option_id": value["correct_option_id"], "open_period": value["open_period"]}}))
        }
        "sendphoto" => {
            let chat = value["chat_id"]
                .as_i64()
                .or_else(|| value["chat_id"].as_str().and_then(|s| s.parse().ok()))
                .unwrap_or(0);
            if fake.fail_photos.load(std::sync::atomic::Ordering::SeqCst) {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(
                        json!({"ok": false, "error_code": 400, "description": "Bad Request: IMAGE_PROCESS_FAILED"}),
                    ),
                );
            }
            // An upload is a part named in `photo` as `attach://<name>` (or named `photo`).
            let field = value["photo"].as_str().unwrap_or("").to_owned();
            let attached = field.strip_prefix("attach://");
            let upload = parts
                .iter()
                .find(|p| p.file_name.is_some() && (Some(p.name.as_str()) == attached || p.name == "photo"))
                .map(|p| p.data.clone());
            let file_id = if upload.is_some() || attached.is_some() {
                None
            } else {
                Some(field).filter(|f| !f.is_empty())
            };
            let n = {
                let mut photos = lock(&fake.photos);
                photos.push(Photo {
                    chat,
                    caption: value["caption"].as_str().map(str::to_owned),
                    upload: upload.clone(),
                    file_id: file_id.clone(),
                    reply_markup: value["reply_markup"].clone(),
                });
                photos.iter().filter(|p| p.upload.is_some()).count()
            };
            let id = file_id.unwrap_or_else(|| format!("photo-{n}"));
            ok(json!({"message_id": 800, "date": 1_700_000_000, "chat": chat_of(&value),
                "photo": [
                    {"file_id": format!("{id}-small"), "file_unique_id": "s", "width": 320, "height": 320},
                    {"file_id": id, "file_unique_id": "l", "width": 1080, "height": 1080}
                ],
                "caption": value["caption"]}))
        }
        "getfile" => {
            let id = value["file_id"].as_str().unwrap_or("").to_owned();
            match lock(&fake.files).get(&id) {
                Some(bytes) => ok(json!({"file_id": id, "file_unique_id": format!("u-{id}"),
                    "file_size": bytes.len(), "file_path": format!("photos/{id}.jpg")})),
                None => (
                    StatusCode::BAD_REQUEST,
                    Json(
                        json!({"ok": false, "error_code": 400, "description": "Bad Request: invalid file_id"}),
                    ),
                ),
            }
        }
        "senddocument" => ok(json!({"message_id": 700, "date": 1_700_000_000, "chat": chat_of(&value),
            "document": {"file_id": "doc-1", "file_unique_id": "doc-u1", "file_name": "file.csv"}})),
        _ => ok(json!(true)),
    }
}

async fn file(
    State(fake): State<Arc<FakeTelegram>>,
    Path((_bot, name)): Path<(String, String)>,
) -> (StatusCode, Vec<u8>) {
    let id = name.trim_start_matches("photos/").trim_end_matches(".jpg");
    match lock(&fake.files).get(id) {
        Some(b) => (StatusCode::OK, b.clone()),
        None => (StatusCode::NOT_FOUND, Vec::new()),
    }
}

/// Starts the fake on 127.0.0.1 (a free port); returns it and its base URL.
pub async fn start() -> std::io::Result<(Arc<FakeTelegram>, String)> {
    let fake = Arc::new(FakeTelegram::default());
    let app = Router::new()
        .route("/{bot}/{method}", post(api))
        // teloxide sends the file path as one percent-encoded segment (photos%2Fx.jpg).
        .route("/file/{bot}/{path}", axum::routing::get(file))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((fake, url))
}
