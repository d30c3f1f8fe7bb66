//! The Zalo Official Account channel: signed webhook events translated to `Incoming`, replies
//! sent with reqwest to the OA API v3 (`/v3.0/oa/message/cs`, `access_token` header) as text of
//! at most 2000 characters with up to 5 `oa.query.hide` buttons, and the OA tokens kept fresh
//! through the OAuth v4 endpoint (one refresh at a time; the single-use refresh token is saved
//! in the store in the same transaction as the new access token).

use std::{sync::Arc, time::Duration};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use tracing::{info, warn};

use super::{ChannelError, render::split};

type Result<T> = std::result::Result<T, ChannelError>;
use crate::{
    bot::{Channel, ChatKind, ChatRef, Engine, Incoming, IncomingKind, Reply, UserRef},
    campaign::{Outgoing, SendFuture, SendResult, Sender},
    config::Config,
    metrics::Metrics,
    model::Reason,
    pipeline::{Handler, Job, Pipeline},
    store::{Store, now},
};

/// Zalo's text limit for consultation messages.
pub const ZALO_LIMIT: usize = 2000;
/// Longest text element of a promotion message used here (tips and alerts are shorter).
const PROMOTION_TEXT_LIMIT: usize = 1500;
/// Zalo shows at most this many buttons.
pub const MAX_BUTTONS: usize = 5;
/// Button payloads carry this prefix so that a tap (which arrives as the user's text) is
/// recognised as a button press.
pub const PAYLOAD_PREFIX: &str = "#cg:";
/// Documented access-token lifetime, assumed for a token from configuration.
const ACCESS_LIFETIME: i64 = 25 * 3600;
/// Refresh this long before expiry.
const REFRESH_MARGIN: i64 = 3600;

/// Error codes meaning the user cannot be messaged now (outside the 7-day window, blocked…).
const UNREACHABLE: [i64; 7] = [-213, -217, -227, -230, -232, -234, -244];

/// `sha256(app_id + raw body + timestamp + OA secret key)`, hex.
#[must_use]
pub fn mac(app_id: &str, body: &[u8], timestamp: &str, oa_secret_key: &str) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(body);
    h.update(timestamp.as_bytes());
    h.update(oa_secret_key.as_bytes());
    hex::encode(h.finalize())
}

/// Checks `X-ZEvent-Signature` (with or without a `mac=` prefix) in constant time.
#[must_use]
pub fn signature_ok(header: &str, app_id: &str, body: &[u8], timestamp: &str, oa_secret_key: &str) -> bool {
    let got = header.trim();
    let got = got.strip_prefix("mac=").unwrap_or(got).to_ascii_lowercase();
    let want = mac(app_id, body, timestamp, oa_secret_key);
    super::constant_time_eq(got.as_bytes(), want.as_bytes())
}

/// Zalo settings; present only when the app id, app secret and OA secret key are all set.
#[derive(Debug, Clone)]
pub struct ZaloSettings {
    /// App id.
    pub app_id: String,
    /// App secret (OAuth `secret_key` header).
    pub app_secret: String,
    /// OA secret key (webhook signatures).
    pub oa_secret_key: String,
    /// OA API base URL.
    pub api_url: String,
    /// OAuth base URL.
    pub oauth_url: String,
    /// Initial tokens from configuration.
    pub access_token: Option<String>,
    /// Initial refresh token from configuration.
    pub refresh_token: Option<String>,
    /// Wait after a rate-limit answer before the one retry.
    pub rate_limit_backoff: Duration,
}

impl ZaloSettings {
    /// From the configuration, if Zalo is configured.
    #[must_use]
    pub fn from_config(cfg: &Config) -> Option<Self> {
        Some(Self {
            app_id: cfg.zalo_app_id.clone()?,
            app_secret: cfg.zalo_app_secret.as_ref()?.expose().to_owned(),
            oa_secret_key: cfg.zalo_oa_secret_key.as_ref()?.expose().to_owned(),
            api_url: cfg.zalo_api_url.trim_end_matches('/').to_owned(),
            oauth_url: cfg.zalo_oauth_url.trim_end_matches('/').to_owned(),
            access_token: cfg.zalo_access_token.as_ref().map(|s| s.expose().to_owned()),
            refresh_token: cfg.zalo_refresh_token.as_ref().map(|s| s.expose().to_owned()),
            rate_limit_backoff: Duration::from_secs(60),
        })
    }
}

#[derive(Debug, Clone)]
struct Tokens {
    access: String,
    refresh: String,
    expires_at: i64,
}

/// Keeps the OA access token fresh; one refresh at a time.
pub struct TokenManager {
    settings: ZaloSettings,
    store: Arc<Store>,
    http: reqwest::Client,
    tokens: Mutex<Option<Tokens>>,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager").finish_non_exhaustive()
    }
}

/// Stores a fresh token pair (from the Zalo console's API Explorer) in place of whatever the
/// store holds: after a restore from an old backup, or when the stored refresh token was
/// spent elsewhere. The access token is assumed fresh (25 hours).
pub fn import_tokens(
    store: &Store,
    access: &str,
    refresh: &str,
) -> std::result::Result<(), crate::store::StoreError> {
    let expires = (now() + ACCESS_LIFETIME).to_string();
    store.kv_set_all(&[
        ("zalo.access_token", access),
        ("zalo.refresh_token", refresh),
        ("zalo.expires_at", &expires),
    ])
}

impl TokenManager {
    /// Tokens from the store if a refresh ever happened, else from configuration.
    pub fn new(settings: ZaloSettings, store: Arc<Store>, http: reqwest::Client) -> Result<Self> {
        let stored = (
            store.kv_get("zalo.access_token")?,
            store.kv_get("zalo.refresh_token")?,
            store.kv_get("zalo.expires_at")?.and_then(|s| s.parse::<i64>().ok()),
        );
        let tokens = match stored {
            (Some(access), Some(refresh), Some(expires_at)) => Some(Tokens { access, refresh, expires_at }),
            _ => match (&settings.access_token, &settings.refresh_token) {
                (Some(a), Some(r)) => Some(Tokens {
                    access: a.clone(),
                    refresh: r.clone(),
                    expires_at: now() + ACCESS_LIFETIME,
                }),
                _ => None,
            },
        };
        Ok(Self { settings, store, http, tokens: Mutex::new(tokens) })
    }

    /// A valid access token, refreshing first when it expires within the hour.
    pub async fn access(&self) -> Result<String> {
        let mut guard = self.tokens.lock().await;
        let t = guard.as_ref().ok_or_else(|| {
            ChannelError::Setup("no Zalo tokens: set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN".into())
        })?;
        if t.expires_at - now() > REFRESH_MARGIN {
            return Ok(t.access.clone());
        }
        let fresh = self.refresh_locked(&mut guard).await?;
        Ok(fresh)
    }

    /// Refreshes after `stale` was rejected, unless another task already replaced it.
    pub async fn refresh_after(&self, stale: &str) -> Result<String> {
        let mut guard = self.tokens.lock().await;
        if let Some(t) = guard.as_ref()
            && t.access != stale
        {
            return Ok(t.access.clone());
        }
        self.refresh_locked(&mut guard).await
    }

    async fn refresh_locked(&self, guard: &mut Option<Tokens>) -> Result<String> {
        let old = guard
            .as_ref()
            .ok_or_else(|| ChannelError::Setup("no Zalo refresh token".into()))?
            .refresh
            .clone();
        let url = format!("{}/v4/oa/access_token", self.settings.oauth_url);
        let resp = self
            .http
            .post(&url)
            .header("secret_key", &self.settings.app_secret)
            .form(&[
                ("refresh_token", old.as_str()),
                ("app_id", self.settings.app_id.as_str()),
                ("grant_type", "refresh_token"),
            ])
            .send()
            .await
            .map_err(|e| {
                ChannelError::Api(format!("Zalo token refresh request failed: {}", e.without_url()))
            })?;
        let v: Value = resp.json().await.map_err(|e| {
            ChannelError::Api(format!("Zalo token refresh: unreadable answer: {}", e.without_url()))
        })?;
        let (Some(access), Some(refresh)) = (v["access_token"].as_str(), v["refresh_token"].as_str()) else {
            return Err(ChannelError::Api(format!(
                "Zalo token refresh refused: {} {}",
                v["error"].as_i64().unwrap_or(0),
                v["error_description"].as_str().or(v["message"].as_str()).unwrap_or("")
            )));
        };
        // expires_in comes as a string ("90000") or a number.
        let expires_in = v["expires_in"]
            .as_i64()
            .or_else(|| v["expires_in"].as_str().and_then(|s| s.trim().parse().ok()))
            .unwrap_or(ACCESS_LIFETIME);
        let t =
            Tokens { access: access.to_owned(), refresh: refresh.to_owned(), expires_at: now() + expires_in };
        let expires = t.expires_at.to_string();
        self.store.kv_set_all(&[
            ("zalo.access_token", &t.access),
            ("zalo.refresh_token", &t.refresh),
            ("zalo.expires_at", &expires),
        ])?;
        info!(expires_in, "Zalo access token refreshed");
        let access = t.access.clone();
        *guard = Some(t);
        Ok(access)
    }
}

/// Plain-text commands Zalo users type (there is no command menu; the phrases come from the
/// command registry), slash commands, and button payloads.
#[must_use]
pub fn parse_text(text: &str) -> IncomingKind {
    let t = text.trim();
    if let Some(data) = t.strip_prefix(PAYLOAD_PREFIX) {
        return IncomingKind::Button(data.to_owned());
    }
    if let Some(command) = IncomingKind::command(t) {
        return command;
    }
    match crate::model::commands::parse_phrase(t) {
        Some((command, arg)) => IncomingKind::Command { name: command.name().to_owned(), arg },
        None => IncomingKind::Text(t.to_owned()),
    }
}

/// A JSON string or integer as text (Zalo sends ids and timestamps either way).
pub(crate) fn as_string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned).or_else(|| v.as_i64().map(|n| n.to_string()))
}

/// Translates a webhook event; `None` for events to ignore (echoes of the OA's own messages,
/// receipts, …). Also returns the key that identifies a delivery (for dropping duplicates).
#[must_use]
pub fn to_incoming(v: &Value) -> Option<(Incoming, String)> {
    let event = v["event_name"].as_str()?;
    if event.starts_with("oa_send_") {
        return None;
    }
    let (user, kind) = match event {
        "user_send_text" => {
            (as_string(&v["sender"]["id"])?, parse_text(v["message"]["text"].as_str().unwrap_or("")))
        }
        "user_send_link" => {
            let url = v["message"]["attachments"][0]["payload"]["url"].as_str().unwrap_or("");
            let text = v["message"]["text"].as_str().unwrap_or("");
            (
                as_string(&v["sender"]["id"])?,
                IncomingKind::Forwarded(format!("{text} {url}").trim().to_owned()),
            )
        }
        // A photo or screenshot: fetched from its URL and read before the engine.
        "user_send_image" => {
            let url = v["message"]["attachments"][0]["payload"]["url"].as_str().unwrap_or("").to_owned();
            let caption = v["message"]["text"].as_str().unwrap_or("").trim().to_owned();
            let kind = if url.is_empty() {
                IncomingKind::Unsupported("image".into())
            } else {
                IncomingKind::Photo { file: url, caption }
            };
            (as_string(&v["sender"]["id"])?, kind)
        }
        e if e.starts_with("user_send_") => {
            (as_string(&v["sender"]["id"])?, IncomingKind::Unsupported(e[10..].to_owned()))
        }
        "follow" => (as_string(&v["follower"]["id"])?, IncomingKind::Joined),
        "unfollow" | "user_withdraw" => {
            (as_string(&v["follower"]["id"]).or_else(|| as_string(&v["user_id"]))?, IncomingKind::Left)
        }
        // Tapping "Nhắn tin" opens a chat but is not a follow.
        "user_click_chatnow" => {
            (as_string(&v["user_id"])?, IncomingKind::Command { name: "start".into(), arg: String::new() })
        }
        _ => return None,
    };
    let key = as_string(&v["message"]["msg_id"])
        .unwrap_or_else(|| format!("{event}:{}:{user}", as_string(&v["timestamp"]).unwrap_or_default()));
    Some((
        Incoming {
            user: UserRef { channel: Channel::Zalo, id: user.clone() },
            chat: ChatRef { id: user, kind: ChatKind::Private },
            kind,
            addressed: true,
        },
        key,
    ))
}

/// The outcome of sending to one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Sent.
    Sent,
    /// The user cannot be messaged now (outside the 7-day window, blocked…): not retried.
    Unreachable,
    /// Failed.
    Failed,
}

/// The Zalo side of a running bot.
pub struct Zalo {
    settings: ZaloSettings,
    engine: Arc<Engine>,
    tokens: TokenManager,
    http: reqwest::Client,
    metrics: Arc<Metrics>,
    /// Attachment ids of uploaded cards, by card key (a card is uploaded once).
    images: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// Held while a card is uploaded (concurrent sends wait for its attachment id).
    uploading: tokio::sync::Mutex<()>,
    /// Cards whose upload failed, and when: not tried again for [`UPLOAD_RETRY`] (the rest
    /// of a broadcast goes out as text instead of repeating a failing upload per follower).
    failed_uploads: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

/// How long a failed card upload is not tried again.
const UPLOAD_RETRY: Duration = Duration::from_secs(600);

impl std::fmt::Debug for Zalo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Zalo").field("app_id", &self.settings.app_id).finish_non_exhaustive()
    }
}

impl Zalo {
    /// Sets up the channel.
    /// The token pair is kept in `store` (its settings repository), apart from the engine.
    pub fn new(
        settings: ZaloSettings,
        engine: Arc<Engine>,
        store: Arc<Store>,
        metrics: Arc<Metrics>,
    ) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| ChannelError::Setup(format!("HTTP client: {e}")))?;
        let tokens = TokenManager::new(settings.clone(), store, http.clone())?;
        Ok(Self {
            settings,
            engine,
            tokens,
            http,
            metrics,
            images: Default::default(),
            uploading: tokio::sync::Mutex::new(()),
            failed_uploads: Default::default(),
        })
    }

    /// Whether a webhook request is genuinely from Zalo.
    #[must_use]
    pub fn verify(&self, header: &str, body: &[u8], timestamp: &str) -> bool {
        signature_ok(header, &self.settings.app_id, body, timestamp, &self.settings.oa_secret_key)
    }

    /// The webhook route (`POST /webhooks/zalo`): signature and timestamp checked, the event
    /// accepted durably, then acknowledged (Zalo wants its 200 within 2 s).
    pub fn webhook_router(self: &Arc<Self>, pipeline: Pipeline) -> axum::Router {
        let hook = Hook { zalo: self.clone(), pipeline };
        axum::Router::new().route("/webhooks/zalo", axum::routing::post(webhook)).with_state(hook)
    }

    /// Handles one accepted event: engine, then replies (duplicates were dropped on intake).
    pub async fn process(self: &Arc<Self>, event: Value) {
        if let Some((incoming, _)) = to_incoming(&event) {
            self.answer(incoming).await;
        }
    }

    /// Runs the engine on an event already translated, then sends the replies.
    async fn answer(self: &Arc<Self>, incoming: Incoming) {
        let mut incoming = incoming;
        if let IncomingKind::Photo { file, caption } = &incoming.kind {
            let seen = self.fetch_and_read(file).await;
            incoming.kind = IncomingKind::Image { seen, caption: caption.clone() };
        }
        let replies = super::run_engine(&self.engine, &incoming, &self.metrics).await;
        for r in &replies {
            if self.send(&incoming.user.id, r).await != Delivery::Sent {
                break;
            }
        }
    }

    /// Fetches an image from the attachment URL of a signed event (within the size limit and
    /// a timeout; kept in memory only) and reads it.
    async fn fetch_and_read(&self, url: &str) -> crate::vision::Seen {
        use crate::vision::{ImageProblem, Seen};
        let Some(vision) = self.engine.vision() else { return Seen::Problem(ImageProblem::OcrMissing) };
        let max = vision.limits().max_bytes;
        let fetch = async {
            let mut resp = self.http.get(url).send().await.map_err(|_| ImageProblem::Download)?;
            if !resp.status().is_success() {
                return Err(ImageProblem::Download);
            }
            if resp.content_length().is_some_and(|n| n > max as u64) {
                return Err(ImageProblem::TooLarge);
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|_| ImageProblem::Download)? {
                if bytes.len() + chunk.len() > max {
                    return Err(ImageProblem::TooLarge);
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(bytes)
        };
        match tokio::time::timeout(Duration::from_secs(30), fetch).await {
            Ok(Ok(bytes)) => self.engine.read_image(bytes).await,
            Ok(Err(p)) => {
                warn!(problem = p.as_str(), "a Zalo image could not be fetched");
                Seen::Problem(p)
            }
            Err(_) => Seen::Problem(ImageProblem::Download),
        }
    }

    /// Sends a reply: a card first (as an image message), then the text split at 2000
    /// characters, buttons (≤ 5) under the last part.
    pub async fn send(&self, user_id: &str, reply: &Reply) -> Delivery {
        if let Some(crate::bot::Attachment::Photo(card)) = &reply.attachment {
            match self.image_message(user_id, card).await {
                Delivery::Unreachable => return Delivery::Unreachable,
                Delivery::Failed => warn!("the card could not be sent on Zalo; sending the text alone"),
                Delivery::Sent => {}
            }
        }
        let parts = split(&reply.body, false, ZALO_LIMIT);
        let last = parts.len().saturating_sub(1);
        for (i, text) in parts.into_iter().enumerate() {
            let mut message = json!({ "text": text });
            if i == last {
                let total = reply.all_buttons().count();
                if total > MAX_BUTTONS {
                    warn!(total, shown = MAX_BUTTONS, "Zalo shows at most 5 buttons; the rest are dropped");
                }
                let buttons: Vec<Value> = reply
                    .all_buttons()
                    .take(MAX_BUTTONS)
                    .map(|b| {
                        let title: String = b.label.chars().take(100).collect();
                        match &b.url {
                            Some(url) => json!({"title": title, "type": "oa.open.url", "payload": {"url": url}}),
                            None => json!({"title": title, "type": "oa.query.hide", "payload": format!("{PAYLOAD_PREFIX}{}", b.data)}),
                        }
                    })
                    .collect();
                if !buttons.is_empty() {
                    message["attachment"] = json!({"type": "template", "payload": {"buttons": buttons}});
                }
            }
            let body = json!({ "recipient": { "user_id": user_id }, "message": message });
            match self.post_cs(&body).await {
                Delivery::Sent => self.metrics.inc(&self.metrics.replies),
                Delivery::Unreachable => {
                    let engine = self.engine.clone();
                    let _ = tokio::task::spawn_blocking(move || engine.note_unreachable(Channel::Zalo)).await;
                    info!("Zalo user outside the messaging window; not retried");
                    return Delivery::Unreachable;
                }
                Delivery::Failed => {
                    self.metrics.inc(&self.metrics.errors);
                    return Delivery::Failed;
                }
            }
        }
        Delivery::Sent
    }

    /// A card as an image message (uploaded once, then sent by its attachment id; an expired
    /// id is uploaded again).
    async fn image_message(&self, user_id: &str, card: &crate::cards::Card) -> Delivery {
        let mut stale: Option<String> = None;
        for fresh in [false, true] {
            let Some(id) = self.attachment(card, stale.as_deref()).await else { return Delivery::Failed };
            let body = json!({
                "recipient": { "user_id": user_id },
                "message": { "attachment": { "type": "template", "payload": {
                    "template_type": "media",
                    "elements": [{ "media_type": "image", "attachment_id": id }],
                }}},
            });
            match self.call("/v3.0/oa/message/cs", &body).await {
                Ok((status, 0, _)) if status.is_success() => return Delivery::Sent,
                Ok((_, -100, _)) if !fresh => stale = Some(id),
                Ok((_, c, _)) if UNREACHABLE.contains(&c) => return Delivery::Unreachable,
                Ok((status, code, message)) => {
                    warn!(code, status = status.as_u16(), message = %message, "Zalo image message failed");
                    return Delivery::Failed;
                }
                Err(e) => {
                    warn!(error = %e, "Zalo image message failed");
                    return Delivery::Failed;
                }
            }
        }
        Delivery::Failed
    }

    /// The attachment id of an uploaded card, uploading it when not known or when the known
    /// one is `stale` (Zalo said it expired). One upload at a time: concurrent sends wait and
    /// share its id.
    async fn attachment(&self, card: &crate::cards::Card, stale: Option<&str>) -> Option<String> {
        let usable = |id: &String| Some(id.as_str()) != stale;
        if let Some(id) = crate::lock(&self.images).get(&card.key).filter(|id| usable(id)).cloned() {
            return Some(id);
        }
        let _one = self.uploading.lock().await;
        if let Some(id) = crate::lock(&self.images).get(&card.key).filter(|id| usable(id)).cloned() {
            return Some(id);
        }
        if crate::lock(&self.failed_uploads).get(&card.key).is_some_and(|at| at.elapsed() < UPLOAD_RETRY) {
            return None;
        }
        match self.upload(card).await {
            Ok(id) => {
                crate::lock(&self.failed_uploads).remove(&card.key);
                crate::lock(&self.images).insert(card.key.clone(), id.clone());
                Some(id)
            }
            Err(e) => {
                warn!(error = %e, "Zalo image upload failed; not tried again for 10 minutes");
                crate::lock(&self.failed_uploads).insert(card.key.clone(), std::time::Instant::now());
                None
            }
        }
    }

    /// Uploads a card (`POST /v2.0/oa/upload/image`, multipart, at most 1 MB); its attachment id.
    async fn upload(&self, card: &crate::cards::Card) -> std::result::Result<String, String> {
        let (_, code, v) = self
            .request("/v2.0/oa/upload/image", |r| {
                let part = reqwest::multipart::Part::bytes(card.png.to_vec())
                    .file_name("meo-canh-giac.png")
                    .mime_str("image/png")
                    .map_err(|e| e.to_string())?;
                Ok(r.multipart(reqwest::multipart::Form::new().part("file", part)))
            })
            .await?;
        match v["data"]["attachment_id"].as_str() {
            Some(id) if code == 0 && !id.is_empty() => Ok(id.to_owned()),
            _ => Err(format!("upload refused: zalo {code} {}", v["message"].as_str().unwrap_or(""))),
        }
    }

    /// One OA API call with a JSON body; see [`Zalo::request`].
    async fn call(
        &self,
        path: &str,
        body: &Value,
    ) -> std::result::Result<(reqwest::StatusCode, i64, String), String> {
        let (status, code, v) = self.request(path, |r| Ok(r.json(body))).await?;
        Ok((status, code, v["message"].as_str().unwrap_or("").to_owned()))
    }

    /// One OA API call (`body` adds the payload to the request); an invalid or expired token is
    /// refreshed and the call retried once. The status, Zalo's error code and the answer; `Err`
    /// when the API could not be reached or no token is usable.
    async fn request(
        &self,
        path: &str,
        body: impl Fn(reqwest::RequestBuilder) -> std::result::Result<reqwest::RequestBuilder, String>,
    ) -> std::result::Result<(reqwest::StatusCode, i64, Value), String> {
        let url = format!("{}{path}", self.settings.api_url);
        let mut refreshed = false;
        loop {
            let token =
                self.tokens.access().await.map_err(|e| format!("no usable Zalo access token: {e}"))?;
            let resp = body(self.http.post(&url).header("access_token", &token))?
                .send()
                .await
                .map_err(|e| format!("Zalo API unreachable: {}", e.without_url()))?;
            let status = resp.status();
            let v = resp.json::<Value>().await.unwrap_or(Value::Null);
            let code = v["error"].as_i64().unwrap_or(if status.is_success() { 0 } else { -1 });
            if matches!(code, -216 | -220) && !refreshed {
                refreshed = true;
                self.tokens
                    .refresh_after(&token)
                    .await
                    .map_err(|e| format!("Zalo token refresh failed: {e}"))?;
                continue;
            }
            return Ok((status, code, v));
        }
    }

    /// One consultation message with the error handling of the OA API: tokens refreshed once
    /// (see [`Zalo::call`]); rate limits back off and retry once; users outside the window are
    /// not retried.
    async fn post_cs(&self, body: &Value) -> Delivery {
        let mut backed_off = false;
        loop {
            let (status, code, message) = match self.call("/v3.0/oa/message/cs", body).await {
                Ok(answer) => answer,
                Err(e) => {
                    warn!(error = %e, "Zalo send failed");
                    return Delivery::Failed;
                }
            };
            match code {
                0 if status.is_success() => return Delivery::Sent,
                c if UNREACHABLE.contains(&c) => return Delivery::Unreachable,
                c if (c == -32 || status.as_u16() == 429 || status.is_server_error()) && !backed_off => {
                    backed_off = true;
                    warn!(code = c, status = status.as_u16(), "Zalo rate limit or server error; backing off");
                    tokio::time::sleep(self.settings.rate_limit_backoff).await;
                }
                c => {
                    warn!(code = c, status = status.as_u16(), message = %message, "Zalo send failed");
                    return Delivery::Failed;
                }
            }
        }
    }

    /// A promotion message ("tin Truyền thông"): the card as its banner when there is one, a
    /// header and the text, to one follower. A card that cannot be uploaded is left out (the
    /// text still goes); an expired attachment id is uploaded again once.
    async fn promote(&self, user_id: &str, message: &Outgoing) -> SendResult {
        let mut stale: Option<String> = None;
        loop {
            let banner = match &message.card {
                Some(card) => self.attachment(card, stale.as_deref()).await,
                None => None,
            };
            match self.promote_once(user_id, message, banner.as_deref()).await {
                Err(()) if stale.is_none() => stale = banner,
                Err(()) => {
                    return self
                        .promote_once(user_id, message, None)
                        .await
                        .unwrap_or(SendResult::Failed("zalo -100".into()));
                }
                Ok(r) => return r,
            }
        }
    }

    /// One promotion call; `Err` when Zalo no longer knows the banner's attachment id.
    async fn promote_once(
        &self,
        user_id: &str,
        message: &Outgoing,
        banner: Option<&str>,
    ) -> std::result::Result<SendResult, ()> {
        let header: String = message.title.chars().take(100).collect();
        let text: String = split(&message.body, false, PROMOTION_TEXT_LIMIT)
            .into_iter()
            .next()
            .unwrap_or_default()
            .replace('\n', "<br>");
        let mut elements = Vec::new();
        if let Some(id) = banner {
            elements.push(json!({ "type": "banner", "attachment_id": id }));
        }
        elements.push(json!({ "type": "header", "align": "left", "content": header }));
        elements.push(json!({ "type": "text", "align": "left", "content": text }));
        let body = json!({
            "recipient": { "user_id": user_id },
            "message": { "attachment": { "type": "template", "payload": {
                "template_type": "promotion",
                "language": "VI",
                "elements": elements,
            }}},
        });
        let (status, code, msg) = match self.call("/v3.0/oa/message/promotion", &body).await {
            Ok(answer) => answer,
            Err(e) => return Ok(SendResult::Transient(e)),
        };
        if code == -100 && banner.is_some() {
            return Err(());
        }
        Ok(match code {
            0 if status.is_success() => {
                self.metrics.inc(&self.metrics.broadcast_sent);
                SendResult::Sent
            }
            -32 => SendResult::RetryAfter(Duration::from_secs(60)),
            -213 => SendResult::Gone(Reason::Unfollowed),
            -217 | -227 | -244 => SendResult::Skip(Reason::Other(format!("zalo {code}"))),
            // Night (-234), the user's (-218) or the OA's (-211) quota: try again later; the
            // worker's own window and daily checks normally prevent these.
            -234 | -218 | -211 => SendResult::RetryAfter(Duration::from_secs(3600)),
            _ if status.as_u16() == 429 => SendResult::RetryAfter(Duration::from_secs(60)),
            _ if status.is_server_error() || code == -1 => {
                SendResult::Transient(format!("HTTP {} {msg}", status.as_u16()))
            }
            c => SendResult::Failed(format!("zalo {c}: {msg}")),
        })
    }
}

impl Handler for Zalo {
    fn job(self: Arc<Self>, payload: Vec<u8>) -> Job {
        Box::pin(async move {
            match serde_json::from_slice::<Value>(&payload) {
                Ok(event) => self.process(event).await,
                Err(e) => warn!(error = %e, "an accepted Zalo event could not be read back; skipped"),
            }
        })
    }
}

/// How far a signed event's timestamp may lie in the past (Zalo retries within minutes).
pub const MAX_EVENT_AGE: Duration = Duration::from_secs(3600);
/// How far it may lie in the future (clock skew).
const MAX_EVENT_SKEW: Duration = Duration::from_secs(300);

/// Whether an event's timestamp (milliseconds since 1970, as Zalo sends it) is recent:
/// a replayed old event, or one without a timestamp, is refused even with a valid signature.
#[must_use]
pub fn fresh(timestamp_ms: &str, now_ms: i64) -> bool {
    let Ok(t) = timestamp_ms.trim().parse::<i64>() else { return false };
    let (age, skew) = (
        i64::try_from(MAX_EVENT_AGE.as_millis()).unwrap_or(i64::MAX),
        i64::try_from(MAX_EVENT_SKEW.as_millis()).unwrap_or(0),
    );
    t > now_ms.saturating_sub(age) && t < now_ms.saturating_add(skew)
}

#[derive(Clone)]
struct Hook {
    zalo: Arc<Zalo>,
    pipeline: Pipeline,
}

async fn webhook(
    axum::extract::State(hook): axum::extract::State<Hook>,
    req: axum::extract::Request,
) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    let metrics = &hook.pipeline.metrics;
    let reject = |code: StatusCode, why: &str| {
        if metrics.reject() {
            warn!(
                status = code.as_u16(),
                reason = why,
                "zalo webhook: rejected (further rejections counted, logged every 10 s)"
            );
        }
        code
    };
    let signature =
        req.headers().get("x-zevent-signature").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if signature.is_empty() {
        return reject(StatusCode::UNAUTHORIZED, "missing X-ZEvent-Signature");
    }
    let Some(slot) = hook.pipeline.reserve() else { return StatusCode::SERVICE_UNAVAILABLE };
    let body = match super::read_body(req.into_body()).await {
        Ok(b) => b,
        Err(code) => return reject(code, "body too large, too slow or unreadable"),
    };
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return reject(StatusCode::BAD_REQUEST, "malformed JSON");
    };
    let timestamp = as_string(&event["timestamp"]).unwrap_or_default();
    if !hook.zalo.verify(&signature, &body, &timestamp) {
        return reject(StatusCode::UNAUTHORIZED, "bad signature");
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    if !fresh(&timestamp, now_ms) {
        return reject(StatusCode::UNAUTHORIZED, "stale or missing timestamp");
    }
    // Events the bot ignores (receipts, its own messages) are acknowledged and dropped.
    let Some((incoming, key)) = to_incoming(&event) else { return StatusCode::OK };
    let chat = incoming.chat.id.clone();
    let zalo = hook.zalo.clone();
    let work: Job = Box::pin(async move { zalo.answer(incoming).await });
    match hook.pipeline.offer(slot, work, Channel::Zalo, &key, &chat, body.to_vec()).await {
        Ok(_) => StatusCode::OK,
        Err(e) => {
            warn!(error = %e, "zalo webhook: could not accept the event");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

impl Sender for Zalo {
    fn channel(&self) -> Channel {
        Channel::Zalo
    }

    fn send<'a>(&'a self, chat: &'a str, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            if !message.personal {
                return self.promote(chat, message).await;
            }
            // A reply about the user's own report: a consultation message.
            match self.send(chat, &Reply::text(message.rich())).await {
                Delivery::Sent => SendResult::Sent,
                Delivery::Unreachable => SendResult::Skip(Reason::Other(
                    "ngoài 7 ngày người dùng tương tác với OA trên Zalo".into(),
                )),
                Delivery::Failed => SendResult::Transient("zalo cs".into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_with_or_without_mac_prefix() {
        let body = br#"{"event_name":"user_send_text"}"#;
        let m = mac("app1", body, "1700000000000", "oa-secret");
        assert!(signature_ok(&m, "app1", body, "1700000000000", "oa-secret"));
        assert!(signature_ok(&format!("mac={m}"), "app1", body, "1700000000000", "oa-secret"));
        assert!(signature_ok(&m.to_uppercase(), "app1", body, "1700000000000", "oa-secret"));
        assert!(!signature_ok(&m, "app1", b"{}", "1700000000000", "oa-secret"));
        assert!(!signature_ok("", "app1", body, "1700000000000", "oa-secret"));
    }

    #[test]
    fn plain_text_commands_and_button_payloads() {
        let cmd = |n: &str, a: &str| IncomingKind::Command { name: n.into(), arg: a.into() };
        assert_eq!(parse_text("quiz"), cmd("quiz", ""));
        assert_eq!(parse_text("Trắc nghiệm"), cmd("quiz", ""));
        assert_eq!(parse_text("5 không"), cmd("5khong", ""));
        assert_eq!(parse_text("Kiểm tra Tài khoản bị khóa"), cmd("kiemtra", "Tài khoản bị khóa"));
        assert_eq!(parse_text("hoi deepfake là gì"), cmd("hoi", "deepfake là gì"));
        assert_eq!(parse_text("#cg:q:0:1"), IncomingKind::Button("q:0:1".into()));
        assert_eq!(parse_text("/start"), cmd("start", ""));
        assert_eq!(parse_text("chào bạn"), IncomingKind::Text("chào bạn".into()));
        assert_eq!(parse_text("Tham gia K7M2QX Nguyễn Lan"), cmd("thamgia", "K7M2QX Nguyễn Lan"));
        assert_eq!(parse_text("quiz nhóm 5 OTP"), cmd("quiznhom", "5 OTP"));
        assert_eq!(parse_text("Kết quả"), cmd("ketqua", ""));
        assert_eq!(parse_text("dừng quiz"), cmd("dungquiz", ""));
        // Decomposed input and letters whose lowercase is longer keep the whole argument.
        assert_eq!(
            parse_text("Kie\u{302}\u{309}m tra mo\u{302}\u{323}t hai ba"),
            cmd("kiemtra", "một hai ba")
        );
        assert_eq!(parse_text("KİỂM TRA İ ưu đãi"), cmd("kiemtra", "İ ưu đãi"));
    }
}
