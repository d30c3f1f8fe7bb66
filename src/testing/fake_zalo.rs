//! A fake Zalo OA API and OAuth server for tests and benchmarks: `/v3.0/oa/message/cs` checks
//! the `access_token` header, `/v3.0/oa/message/promotion` also enforces the promotion rules
//! (followers only, one per user per day), `/v4/oa/access_token` rotates single-use refresh
//! tokens; error codes and server errors can be injected. Every call is recorded.

use std::sync::{Arc, Mutex};

use axum::{Json, Router, body::Bytes, extract::State, http::HeaderMap, routing::post};
use serde_json::{Value, json};

use crate::lock;

/// One recorded call.
#[derive(Debug, Clone)]
pub struct ZaloCall {
    /// `cs`, `promotion` (every call), `promotion_ok` (accepted ones) or `token`.
    pub endpoint: &'static str,
    /// The `access_token` (cs) or `secret_key` (token) header.
    pub credential: String,
    /// JSON body (cs) or form (token, as `{"form": "..."}`).
    pub body: Value,
}

/// The fake's state.
#[derive(Debug)]
pub struct FakeZalo {
    calls: Mutex<Vec<ZaloCall>>,
    /// The access token currently accepted.
    pub access: Mutex<String>,
    /// The refresh token currently accepted (single use).
    pub refresh: Mutex<String>,
    /// The app secret expected on refresh.
    pub app_secret: String,
    /// Users outside the 7-day window (answer -230).
    pub unreachable: Mutex<Vec<String>>,
    /// Answer the next send with -32 (rate limit).
    pub rate_limit_next: Mutex<bool>,
    /// Users who do not follow the OA (promotions answer -213).
    pub not_following: Mutex<Vec<String>>,
    /// Answer this many next promotion calls with HTTP 500.
    pub fail_next_promotions: Mutex<u32>,
    /// Users who got a promotion message "today" (a second one answers -218).
    promoted: Mutex<Vec<String>>,
    issued: Mutex<u32>,
    /// Refuse every image upload.
    pub fail_uploads: std::sync::atomic::AtomicBool,
    /// Images uploaded, in order; an attachment id is `att-N` for the N-th (from 1).
    uploads: Mutex<Vec<Vec<u8>>>,
    /// Attachment ids that expired (a message naming one gets -100).
    pub expired: Mutex<Vec<String>>,
    /// Images users sent, served at `GET /media/{name}` (as Zalo's CDN serves attachments).
    pub media: Mutex<std::collections::HashMap<String, Vec<u8>>>,
}

impl FakeZalo {
    /// Recorded calls to an endpoint (`cs` or `token`).
    #[must_use]
    pub fn calls(&self, endpoint: &str) -> Vec<ZaloCall> {
        lock(&self.calls).iter().filter(|c| c.endpoint == endpoint).cloned().collect()
    }

    /// Promotion messages accepted: (user id, header, text).
    #[must_use]
    pub fn promotions(&self) -> Vec<(String, String, String)> {
        self.calls("promotion_ok")
            .into_iter()
            .map(|c| {
                let elements = c.body["message"]["attachment"]["payload"]["elements"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let of = |kind: &str| {
                    elements
                        .iter()
                        .find(|e| e["type"] == kind)
                        .and_then(|e| e["content"].as_str())
                        .unwrap_or("")
                        .to_owned()
                };
                (c.body["recipient"]["user_id"].as_str().unwrap_or("").to_owned(), of("header"), of("text"))
            })
            .collect()
    }

    /// Images uploaded so far, in order.
    #[must_use]
    pub fn uploads(&self) -> Vec<Vec<u8>> {
        lock(&self.uploads).clone()
    }

    /// A new day: every user may get a promotion again.
    pub fn new_day(&self) {
        lock(&self.promoted).clear();
    }

    /// Makes the current access token invalid (as if it expired).
    pub fn expire_access(&self) {
        *lock(&self.access) = "expired".into();
    }
}

async fn cs(State(fake): State<Arc<FakeZalo>>, headers: HeaderMap, body: Bytes) -> Json<Value> {
    let token = headers.get("access_token").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    lock(&fake.calls).push(ZaloCall { endpoint: "cs", credential: token.clone(), body: v.clone() });
    if token != *lock(&fake.access) {
        return Json(json!({"error": -216, "message": "Access token is invalid"}));
    }
    {
        let mut limited = lock(&fake.rate_limit_next);
        if *limited {
            *limited = false;
            return Json(json!({"error": -32, "message": "Exceeded the rate limit"}));
        }
    }
    if let Some(e) = expired_attachment(&fake, &v) {
        return e;
    }
    let user = v["recipient"]["user_id"].as_str().unwrap_or("").to_owned();
    if lock(&fake.unreachable).contains(&user) {
        return Json(
            json!({"error": -230, "message": "User has not interacted with the OA in the last 7 days"}),
        );
    }
    Json(json!({"error": 0, "message": "Success", "data": {"message_id": "m", "user_id": user}}))
}

async fn promotion(
    State(fake): State<Arc<FakeZalo>>,
    headers: HeaderMap,
    body: Bytes,
) -> (axum::http::StatusCode, Json<Value>) {
    let ok = axum::http::StatusCode::OK;
    let token = headers.get("access_token").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    lock(&fake.calls).push(ZaloCall { endpoint: "promotion", credential: token.clone(), body: v.clone() });
    if token != *lock(&fake.access) {
        return (ok, Json(json!({"error": -216, "message": "Access token is invalid"})));
    }
    {
        let mut failing = lock(&fake.fail_next_promotions);
        if *failing > 0 {
            *failing -= 1;
            return (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"error": -1, "message": "Internal error"})),
            );
        }
    }
    let user = v["recipient"]["user_id"].as_str().unwrap_or("").to_owned();
    if lock(&fake.not_following).contains(&user) {
        return (ok, Json(json!({"error": -213, "message": "User has not followed OA"})));
    }
    if let Some(e) = expired_attachment(&fake, &v) {
        return (ok, e);
    }
    if v["message"]["attachment"]["payload"]["template_type"] != "promotion" {
        return (ok, Json(json!({"error": -201, "message": "Parameters are invalid"})));
    }
    {
        let mut promoted = lock(&fake.promoted);
        if promoted.contains(&user) {
            return (
                ok,
                Json(json!({"error": -218, "message": "User has reached the limit of promotion messages"})),
            );
        }
        promoted.push(user.clone());
    }
    lock(&fake.calls).push(ZaloCall { endpoint: "promotion_ok", credential: token, body: v });
    (ok, Json(json!({"error": 0, "message": "Success", "data": {"message_id": "p", "user_id": user}})))
}

/// -100 when a message names an attachment id that is unknown or expired.
fn expired_attachment(fake: &FakeZalo, v: &Value) -> Option<Json<Value>> {
    let elements = v["message"]["attachment"]["payload"]["elements"].as_array()?;
    let uploaded = lock(&fake.uploads).len();
    for id in elements.iter().filter_map(|e| e["attachment_id"].as_str()) {
        let known = id
            .strip_prefix("att-")
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| (1..=uploaded).contains(&n));
        if !known || lock(&fake.expired).iter().any(|x| x == id) {
            return Some(Json(json!({"error": -100, "message": "attachment_id is invalid or expired"})));
        }
    }
    None
}

async fn upload(State(fake): State<Arc<FakeZalo>>, headers: HeaderMap, body: Bytes) -> Json<Value> {
    let token = headers.get("access_token").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    let file = super::multipart::parts(content_type, &body).into_iter().find(|p| p.name == "file");
    lock(&fake.calls).push(ZaloCall {
        endpoint: "upload",
        credential: token.clone(),
        body: json!({ "bytes": file.as_ref().map_or(0, |f| f.data.len()) }),
    });
    if token != *lock(&fake.access) {
        return Json(json!({"error": -216, "message": "Access token is invalid"}));
    }
    if fake.fail_uploads.load(std::sync::atomic::Ordering::SeqCst) {
        return Json(json!({"error": -201, "message": "Upload failed"}));
    }
    let Some(file) = file.filter(|f| f.data.len() <= 1024 * 1024) else {
        return Json(json!({"error": -201, "message": "File is missing or larger than 1 MB"}));
    };
    let n = {
        let mut u = lock(&fake.uploads);
        u.push(file.data);
        u.len()
    };
    Json(json!({"error": 0, "message": "Success", "data": {"attachment_id": format!("att-{n}")}}))
}

async fn media(
    State(fake): State<Arc<FakeZalo>>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> (axum::http::StatusCode, Vec<u8>) {
    match lock(&fake.media).get(&name) {
        Some(b) => (axum::http::StatusCode::OK, b.clone()),
        None => (axum::http::StatusCode::NOT_FOUND, Vec::new()),
    }
}

async fn token(State(fake): State<Arc<FakeZalo>>, headers: HeaderMap, body: Bytes) -> Json<Value> {
    let secret = headers.get("secret_key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let form = String::from_utf8_lossy(&body).into_owned();
    lock(&fake.calls).push(ZaloCall {
        endpoint: "token",
        credential: secret.clone(),
        body: json!({ "form": form }),
    });
    let presented = form.split('&').find_map(|kv| kv.strip_prefix("refresh_token=")).unwrap_or("").to_owned();
    if secret != fake.app_secret || presented != *lock(&fake.refresh) {
        return Json(
            json!({"error": -14014, "error_name": "Invalid refresh token", "error_description": "refresh token is invalid"}),
        );
    }
    let n = {
        let mut i = lock(&fake.issued);
        *i += 1;
        *i
    };
    let (access, refresh) = (format!("access-{n}"), format!("refresh-{n}"));
    *lock(&fake.access) = access.clone();
    *lock(&fake.refresh) = refresh.clone();
    Json(json!({"access_token": access, "refresh_token": refresh, "expires_in": "90000"}))
}

/// Starts the fake (one server for both base URLs) accepting the given initial tokens.
pub async fn start(
    access: &str,
    refresh: &str,
    app_secret: &str,
) -> std::io::Result<(Arc<FakeZalo>, String)> {
    let fake = Arc::new(FakeZalo {
        calls: Mutex::default(),
        access: Mutex::new(access.to_owned()),
        refresh: Mutex::new(refresh.to_owned()),
        app_secret: app_secret.to_owned(),
        unreachable: Mutex::default(),
        rate_limit_next: Mutex::new(false),
        not_following: Mutex::default(),
        fail_next_promotions: Mutex::new(0),
        promoted: Mutex::default(),
        issued: Mutex::new(0),
        fail_uploads: std::sync::atomic::AtomicBool::new(false),
        uploads: Mutex::default(),
        expired: Mutex::default(),
        media: Mutex::default(),
    });
    let app = Router::new()
        .route("/v3.0/oa/message/cs", post(cs))
        .route("/v3.0/oa/message/promotion", post(promotion))
        .route("/v2.0/oa/upload/image", post(upload))
        .route("/media/{name}", axum::routing::get(media))
        .route("/v4/oa/access_token", post(token))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((fake, url))
}
