//! A fake Zalo OA API and OAuth server for tests and benchmarks: `/v3.0/oa/message/cs` checks
//! the `access_token` header, `/v4/oa/access_token` rotates single-use refresh tokens; error
//! codes can be injected. Every call is recorded.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::{Json, Router, body::Bytes, extract::State, http::HeaderMap, routing::post};
use serde_json::{Value, json};

/// One recorded call.
#[derive(Debug, Clone)]
pub struct ZaloCall {
    /// `cs` or `token`.
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
    issued: Mutex<u32>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FakeZalo {
    /// Recorded calls to an endpoint (`cs` or `token`).
    #[must_use]
    pub fn calls(&self, endpoint: &str) -> Vec<ZaloCall> {
        lock(&self.calls).iter().filter(|c| c.endpoint == endpoint).cloned().collect()
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
    let user = v["recipient"]["user_id"].as_str().unwrap_or("").to_owned();
    if lock(&fake.unreachable).contains(&user) {
        return Json(
            json!({"error": -230, "message": "User has not interacted with the OA in the last 7 days"}),
        );
    }
    Json(json!({"error": 0, "message": "Success", "data": {"message_id": "m", "user_id": user}}))
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
        issued: Mutex::new(0),
    });
    let app = Router::new()
        .route("/v3.0/oa/message/cs", post(cs))
        .route("/v4/oa/access_token", post(token))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((fake, url))
}
