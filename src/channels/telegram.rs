//! The Telegram channel: teloxide's Bot API client pointed at `CANHGIAC_TELEGRAM_API_URL`,
//! long polling or webhook updates translated to `Incoming`, replies rendered as escaped HTML,
//! split at 4096 characters, with inline keyboards. Duplicate updates are handled once, 429s
//! are retried after the delay Telegram gives, and a user who blocked the bot is marked inactive.
//! Group quizzes go out as native quiz polls (not anonymous, so answers come back as
//! `poll_answer` updates), paced by a one-second clock ([`Telegram::run_group_quizzes`]).

use std::{sync::Arc, time::Duration};

use teloxide::{
    ApiError, Bot, RequestError,
    payloads::{
        AnswerCallbackQuerySetters, SendMessageSetters, SendPhotoSetters, SendPollSetters, SetWebhookSetters,
    },
    prelude::Requester,
    requests::Request,
    types::{
        BotCommand, ChatId, ChatMemberKind, FileId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile,
        InputPollOption, Me, ParseMode, PollType, Update, UpdateKind,
    },
};
use tokio::sync::watch;
use tracing::{info, warn};

use super::{
    ChannelError,
    render::{TELEGRAM_LIMIT, split},
};
use crate::{
    bot::{Attachment, Channel, ChatKind, ChatRef, Engine, Incoming, IncomingKind, QuizPoll, Reply, UserRef},
    campaign::{Outgoing, SendFuture, SendResult, Sender},
    metrics::Metrics,
    model::{Reason, UserKey},
    pipeline::{Handler, Job, Offer, Pipeline},
};

/// The updates the bot asks for, named on `getUpdates` and `setWebhook` (an omitted list keeps
/// whatever a previous deployment set, which could leave out poll answers).
fn wanted_updates() -> Vec<teloxide::types::AllowedUpdate> {
    use teloxide::types::AllowedUpdate as U;
    vec![U::Message, U::EditedMessage, U::CallbackQuery, U::PollAnswer, U::MyChatMember]
}

/// Where replies to an update go.
#[derive(Debug, Clone)]
pub struct Target {
    /// The chat.
    pub chat: ChatId,
    /// The callback query to acknowledge, if the update was a button press.
    pub callback: Option<String>,
}

/// Translates a Telegram update into what the engine understands (`None`: ignore it).
#[must_use]
pub fn to_incoming(update: &Update, me: &Me) -> Option<(Incoming, Target)> {
    let username = me.user.username.clone().unwrap_or_default().to_lowercase();
    match &update.kind {
        UpdateKind::Message(m) => {
            let from = m.from.as_ref()?;
            if from.is_bot {
                return None;
            }
            let group = m.chat.is_group() || m.chat.is_supergroup();
            let user = UserRef { channel: Channel::Telegram, id: from.id.0.to_string() };
            let chat = ChatRef {
                id: m.chat.id.0.to_string(),
                kind: if group { ChatKind::Group } else { ChatKind::Private },
            };
            let replied_to_bot =
                m.reply_to_message().and_then(|r| r.from.as_ref()).is_some_and(|u| u.id == me.user.id);
            let text = m.text().or_else(|| m.caption());
            let mention = format!("@{username}");
            // A photo, or an image sent as a file: fetched and read before the engine.
            let image = m.photo().and_then(<[_]>::last).map(|p| p.file.id.0.clone()).or_else(|| {
                m.document()
                    .filter(|d| d.mime_type.as_ref().is_some_and(|t| t.essence_str().starts_with("image/")))
                    .map(|d| d.file.id.0.clone())
            });
            if let Some(file) = image {
                let caption = text.unwrap_or("");
                let lower = caption.to_ascii_lowercase();
                let mentioned = !username.is_empty() && lower.contains(&mention);
                let caption = match lower.find(&mention) {
                    Some(i) if mentioned => format!("{}{}", &caption[..i], &caption[i + mention.len()..]),
                    _ => caption.to_owned(),
                };
                let kind = IncomingKind::Photo { file, caption: caption.trim().to_owned() };
                return Some((
                    Incoming { user, chat, kind, addressed: mentioned || replied_to_bot },
                    Target { chat: m.chat.id, callback: None },
                ));
            }
            let (kind, addressed) = match text {
                Some(t) if let Some(IncomingKind::Command { name, arg }) = IncomingKind::command(t) => {
                    // `/name@bot`: only commands for this bot (or for no bot in particular).
                    let (name, target) = name.split_once('@').unwrap_or((&name, ""));
                    if !target.is_empty() && !username.is_empty() && target != username {
                        return None; // a command for another bot
                    }
                    (IncomingKind::Command { name: name.to_owned(), arg }, true)
                }
                Some(t) => {
                    // ASCII lowercasing keeps byte offsets (bot usernames are ASCII), so the
                    // position found in `lower` is valid in `t`.
                    let lower = t.to_ascii_lowercase();
                    let mentioned = !username.is_empty() && lower.contains(&mention);
                    let clean = if mentioned {
                        let i = lower.find(&mention).unwrap_or(0);
                        format!("{}{}", &t[..i], &t[i + mention.len()..]).trim().to_owned()
                    } else {
                        t.to_owned()
                    };
                    let kind = if m.forward_origin().is_some() {
                        IncomingKind::Forwarded(clean)
                    } else {
                        IncomingKind::Text(clean)
                    };
                    (kind, mentioned || replied_to_bot)
                }
                None => {
                    let what = if m.sticker().is_some() {
                        "sticker"
                    } else if m.photo().is_some() {
                        "photo"
                    } else {
                        "other"
                    };
                    (IncomingKind::Unsupported(what.to_owned()), replied_to_bot)
                }
            };
            Some((Incoming { user, chat, kind, addressed }, Target { chat: m.chat.id, callback: None }))
        }
        UpdateKind::CallbackQuery(q) => {
            let data = q.data.clone()?;
            let chat_id = q.message.as_ref().map(|m| m.chat().id)?;
            let chat = q.message.as_ref().map(|m| m.chat())?;
            let group = chat.is_group() || chat.is_supergroup();
            Some((
                Incoming {
                    user: UserRef { channel: Channel::Telegram, id: q.from.id.0.to_string() },
                    chat: ChatRef {
                        id: chat_id.0.to_string(),
                        kind: if group { ChatKind::Group } else { ChatKind::Private },
                    },
                    kind: IncomingKind::Button(data),
                    addressed: true,
                },
                Target { chat: chat_id, callback: Some(q.id.0.clone()) },
            ))
        }
        // The user blocked the bot (private chat), or the bot was removed from a group (the
        // group's subscription ends).
        UpdateKind::MyChatMember(u) => {
            if !matches!(u.new_chat_member.kind, ChatMemberKind::Banned(_) | ChatMemberKind::Left) {
                return None;
            }
            let kind = if u.chat.is_private() { ChatKind::Private } else { ChatKind::Group };
            Some((
                Incoming {
                    user: UserRef { channel: Channel::Telegram, id: u.from.id.0.to_string() },
                    chat: ChatRef { id: u.chat.id.0.to_string(), kind },
                    kind: IncomingKind::Left,
                    addressed: true,
                },
                Target { chat: u.chat.id, callback: None },
            ))
        }
        UpdateKind::PollAnswer(a) => {
            // Only users score; an anonymous admin voting as the group is skipped.
            let voter = a.voter.user()?;
            Some((
                Incoming {
                    user: UserRef { channel: Channel::Telegram, id: voter.id.0.to_string() },
                    // A poll answer names no chat: the poll id leads to the group's session.
                    chat: ChatRef { id: String::new(), kind: ChatKind::Group },
                    kind: IncomingKind::PollAnswer {
                        poll_id: a.poll_id.0.clone(),
                        options: a.option_ids.iter().map(|&o| usize::from(o)).collect(),
                        name: Some(voter.full_name()),
                    },
                    addressed: true,
                },
                Target { chat: ChatId(voter.id.0.cast_signed()), callback: None },
            ))
        }
        _ => None,
    }
}

/// At most `max` characters (Telegram counts characters in poll texts).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

fn keyboard(reply: &Reply) -> Option<InlineKeyboardMarkup> {
    if reply.buttons.is_empty() {
        return None;
    }
    Some(InlineKeyboardMarkup::new(reply.buttons.iter().map(|row| {
        row.iter()
            .map(|b| match b.url.as_deref().and_then(|u| reqwest::Url::parse(u).ok()) {
                Some(url) => InlineKeyboardButton::url(b.label.clone(), url),
                None => InlineKeyboardButton::callback(b.label.clone(), b.data.clone()),
            })
            .collect::<Vec<_>>()
    })))
}

/// Telegram's limit for a photo's caption (characters of visible text).
pub const CAPTION_LIMIT: usize = 1024;

/// The Telegram side of a running bot.
pub struct Telegram {
    bot: Bot,
    token: String,
    me: Me,
    engine: Arc<Engine>,
    metrics: Arc<Metrics>,
    /// File ids Telegram gave uploaded cards, by card key: a card is uploaded once, then
    /// resent by id.
    photos: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// Held while a card is uploaded, so that concurrent sends wait for its file id instead of
    /// uploading it again.
    uploading: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Telegram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telegram").field("bot", &self.me.user.username).finish_non_exhaustive()
    }
}

/// An error message with the bot token removed: network errors quote the request URL, and the
/// Bot API URL contains the token.
fn redact(e: &impl std::fmt::Display, token: &str) -> String {
    let s = e.to_string();
    if token.is_empty() { s } else { s.replace(token, "<token>") }
}

/// Runs a Bot API call, waiting and retrying (up to 3 times) when Telegram answers 429.
async fn with_retry<T, F, Fut>(mut call: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RequestError>>,
{
    let mut tries = 0;
    loop {
        match call().await {
            Err(RequestError::RetryAfter(s)) if tries < 3 => {
                tries += 1;
                warn!(seconds = s.seconds(), "telegram rate limit, waiting");
                tokio::time::sleep(s.duration()).await;
            }
            other => return other,
        }
    }
}

impl Telegram {
    /// Connects (getMe) and registers the command menu (setMyCommands).
    pub async fn connect(
        token: &str,
        api_url: &str,
        engine: Arc<Engine>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, ChannelError> {
        let url = reqwest::Url::parse(api_url)
            .map_err(|e| ChannelError::Setup(format!("invalid Telegram API URL {api_url}: {e}")))?;
        let bot = Bot::new(token).set_api_url(url);
        let me = bot.get_me().await.map_err(|e| {
            ChannelError::Api(format!(
                "Telegram getMe failed (check TELEGRAM_BOT_TOKEN): {}",
                redact(&e, token)
            ))
        })?;
        let commands: Vec<BotCommand> =
            crate::model::commands::menu().map(|(c, d)| BotCommand::new(c, d)).collect();
        with_retry(|| bot.set_my_commands(commands.clone()).send()).await.map_err(|e| {
            ChannelError::Api(format!("Telegram setMyCommands failed: {}", redact(&e, token)))
        })?;
        info!(bot = me.user.username.as_deref().unwrap_or("?"), "telegram connected");
        if let Some(cards) = engine.campaign().cards() {
            cards.set_handle(me.user.username.as_ref().map(|u| format!("Telegram: @{u}")));
        }
        engine.set_telegram_username(me.user.username.clone());
        Ok(Self {
            bot,
            token: token.to_owned(),
            me,
            engine,
            metrics,
            photos: Default::default(),
            uploading: tokio::sync::Mutex::new(()),
        })
    }

    /// Registers the webhook with its secret token.
    pub async fn set_webhook(&self, url: &str, secret: &str) -> Result<(), ChannelError> {
        let url = reqwest::Url::parse(url)
            .map_err(|e| ChannelError::Setup(format!("invalid webhook URL {url}: {e}")))?;
        with_retry(|| {
            self.bot
                .set_webhook(url.clone())
                .secret_token(secret.to_owned())
                .allowed_updates(wanted_updates())
                .send()
        })
        .await
        .map_err(|e| ChannelError::Api(format!("Telegram setWebhook failed: {}", redact(&e, &self.token))))?;
        Ok(())
    }

    /// The webhook route (`POST /webhooks/telegram`): the secret token is checked from the
    /// headers before the body is read; the update is accepted durably, then acknowledged.
    pub fn webhook_router(self: &Arc<Self>, secret: String, pipeline: Pipeline) -> axum::Router {
        let hook = Hook { tg: self.clone(), secret: Arc::from(secret), pipeline };
        axum::Router::new().route("/webhooks/telegram", axum::routing::post(webhook)).with_state(hook)
    }

    /// Handles one accepted update: engine, then replies (duplicates were dropped on intake).
    pub async fn process(self: &Arc<Self>, update: Update) {
        let Some((incoming, target)) = to_incoming(&update, &self.me) else { return };
        if let Some(cb) = &target.callback {
            let _ = with_retry(|| {
                self.bot
                    .answer_callback_query(teloxide::types::CallbackQueryId(cb.clone()))
                    .cache_time(0)
                    .send()
            })
            .await;
        }
        let mut incoming = incoming;
        if let IncomingKind::Photo { file, caption } = &incoming.kind {
            // Only images the engine will answer are fetched (a group's unaddressed photo is not).
            if incoming.chat.kind == ChatKind::Group && !incoming.addressed {
                return;
            }
            let seen = self.fetch_and_read(file).await;
            incoming.kind = IncomingKind::Image { seen, caption: caption.clone() };
        }
        let replies = super::run_engine(&self.engine, &incoming, &self.metrics).await;
        let key = UserKey::new(Channel::Telegram, &incoming.user.id);
        for r in &replies {
            if !self.send(target.chat, r, &key).await {
                break;
            }
        }
    }

    /// Sends one reply (split if long; buttons under the last part). False if the user is gone.
    async fn send(&self, chat: ChatId, reply: &Reply, user: &UserKey) -> bool {
        // A card whose text fits a caption goes as one photo message with its buttons.
        if let Some(Attachment::Photo(card)) = &reply.attachment {
            let caption = split(&reply.body, true, CAPTION_LIMIT);
            if caption.len() <= 1 {
                match self.send_photo(chat, card, caption.into_iter().next(), keyboard(reply)).await {
                    Ok(()) => {
                        self.metrics.inc(&self.metrics.replies);
                        return true;
                    }
                    Err(e) => {
                        warn!(error = %redact(&e, &self.token), "sendPhoto failed; sending the text alone")
                    }
                }
                let text = Reply { attachment: None, ..reply.clone() };
                return Box::pin(self.send(chat, &text, user)).await;
            }
        }
        let parts = split(&reply.body, true, TELEGRAM_LIMIT);
        let last = parts.len().saturating_sub(1);
        for (i, part) in parts.into_iter().enumerate() {
            let markup = if i == last { keyboard(reply) } else { None };
            let result = with_retry(|| {
                let req = self.bot.send_message(chat, part.clone()).parse_mode(ParseMode::Html);
                match markup.clone() {
                    Some(m) => req.reply_markup(m).send(),
                    None => req.send(),
                }
            })
            .await;
            match result {
                Ok(_) => self.metrics.inc(&self.metrics.replies),
                Err(RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated)) => {
                    info!("user blocked the bot; marking inactive");
                    let (engine, key) = (self.engine.clone(), user.clone());
                    let _ = tokio::task::spawn_blocking(move || engine.user_gone(&key)).await;
                    return false;
                }
                Err(e) => {
                    self.metrics.inc(&self.metrics.errors);
                    warn!(error = %redact(&e, &self.token), "sendMessage failed");
                    return false;
                }
            }
        }
        match &reply.attachment {
            None => true,
            Some(Attachment::Photo(card)) => match self.send_photo(chat, card, None, None).await {
                Ok(()) => true,
                Err(e) => {
                    warn!(error = %redact(&e, &self.token), "sendPhoto failed");
                    true
                }
            },
            Some(Attachment::Poll(p)) => self.send_poll(chat, p).await,
            Some(Attachment::Document(d)) => {
                let file = InputFile::memory(d.bytes.clone()).file_name(d.file_name.clone());
                match with_retry(|| self.bot.send_document(chat, file.clone()).send()).await {
                    Ok(_) => {
                        self.metrics.inc(&self.metrics.replies);
                        true
                    }
                    Err(e) => {
                        self.metrics.inc(&self.metrics.errors);
                        warn!(error = %redact(&e, &self.token), "sendDocument failed");
                        false
                    }
                }
            }
        }
    }

    /// Fetches an image the user sent (`getFile`, then the file, within the size limit and a
    /// timeout; kept in memory only) and reads it.
    async fn fetch_and_read(&self, file_id: &str) -> crate::vision::Seen {
        use crate::vision::{ImageProblem, Seen};
        use teloxide::net::Download;
        let Some(vision) = self.engine.vision() else { return Seen::Problem(ImageProblem::OcrMissing) };
        let max = vision.limits().max_bytes;
        let file = match with_retry(|| self.bot.get_file(FileId(file_id.to_owned())).send()).await {
            Ok(f) => f,
            Err(e) => {
                warn!(error = %redact(&e, &self.token), "getFile failed");
                return Seen::Problem(ImageProblem::Download);
            }
        };
        if usize::try_from(file.size).unwrap_or(usize::MAX) > max {
            return Seen::Problem(ImageProblem::TooLarge);
        }
        let mut bytes: Vec<u8> = Vec::with_capacity(usize::try_from(file.size).unwrap_or(0).min(max));
        let download = self.bot.download_file(&file.path, &mut bytes);
        match tokio::time::timeout(Duration::from_secs(30), download).await {
            Ok(Ok(())) if bytes.len() <= max => {}
            Ok(Ok(())) => return Seen::Problem(ImageProblem::TooLarge),
            Ok(Err(e)) => {
                warn!(error = %redact(&e, &self.token), "downloading an image failed");
                return Seen::Problem(ImageProblem::Download);
            }
            Err(_) => return Seen::Problem(ImageProblem::Download),
        }
        self.engine.read_image(bytes).await
    }

    /// Sends a card as a photo: uploaded the first time, then by the file id Telegram gave
    /// back (an id Telegram no longer knows is dropped and the card uploaded again).
    async fn send_photo(
        &self,
        chat: ChatId,
        card: &crate::cards::Card,
        caption: Option<String>,
        markup: Option<InlineKeyboardMarkup>,
    ) -> Result<(), RequestError> {
        let mut known = crate::lock(&self.photos).get(&card.key).cloned();
        let mut _upload = None;
        loop {
            if known.is_none() {
                // One upload at a time; whoever waited may find the file id ready.
                _upload = Some(self.uploading.lock().await);
                known = crate::lock(&self.photos).get(&card.key).cloned();
            }
            let file = match &known {
                Some(id) => InputFile::file_id(FileId(id.clone())),
                None => InputFile::memory(card.png.to_vec()).file_name("meo-canh-giac.png"),
            };
            let mut req = self.bot.send_photo(chat, file);
            if let Some(c) = &caption {
                req = req.caption(c.clone()).parse_mode(ParseMode::Html);
            }
            if let Some(m) = &markup {
                req = req.reply_markup(m.clone());
            }
            match req.send().await {
                Ok(message) => {
                    if let Some(best) = message.photo().and_then(<[_]>::last) {
                        crate::lock(&self.photos).insert(card.key.clone(), best.file.id.0.clone());
                    }
                    return Ok(());
                }
                Err(RequestError::Api(_)) if known.is_some() => {
                    // Telegram no longer knows the id: upload again (unless someone just did).
                    let mut photos = crate::lock(&self.photos);
                    if photos.get(&card.key) == known.as_ref() {
                        photos.remove(&card.key);
                    }
                    known = None;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends a quiz poll (not anonymous, so that answers come back) and tells the engine its id.
    async fn send_poll(&self, chat: ChatId, p: &QuizPoll) -> bool {
        let options: Vec<InputPollOption> =
            p.options.iter().map(|o| InputPollOption::new(clip(o, 100))).collect();
        let result = with_retry(|| {
            self.bot
                .send_poll(chat, clip(&p.question, 300), options.clone())
                .type_(PollType::Quiz)
                .is_anonymous(false)
                .correct_option_id(u8::try_from(p.correct).unwrap_or(0))
                .explanation(clip(&p.explanation, 200))
                .open_period(p.open_period.clamp(5, 600))
                .send()
        })
        .await;
        let message = match result {
            Ok(m) => m,
            Err(e) => {
                self.metrics.inc(&self.metrics.errors);
                warn!(error = %redact(&e, &self.token), session = p.session, "sendPoll failed");
                return false;
            }
        };
        self.metrics.inc(&self.metrics.replies);
        let Some(poll_id) = message.poll().map(|poll| poll.id.0.clone()) else {
            warn!(session = p.session, "sendPoll answered without a poll");
            return false;
        };
        let engine = self.engine.clone();
        let poll = p.clone();
        match tokio::task::spawn_blocking(move || engine.poll_sent(&poll, &poll_id)).await {
            Ok(Ok(())) => true,
            other => {
                self.metrics.inc(&self.metrics.errors);
                warn!(failed = ?other.err().map(|e| e.to_string()), "recording a poll failed");
                false
            }
        }
    }

    /// The group-quiz clock: every second, posts the polls and leaderboards that are due,
    /// until `shutdown` turns true. The state is in the store, so a restart resumes.
    pub async fn run_group_quizzes(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
            let engine = self.engine.clone();
            let due = tokio::task::spawn_blocking(move || {
                engine.due_group_quizzes(Channel::Telegram, crate::store::now())
            })
            .await;
            let posts = match due {
                Ok(Ok(p)) => p,
                other => {
                    self.metrics.inc(&self.metrics.errors);
                    warn!(failed = ?other.err().map(|e| e.to_string()), "group quiz clock failed");
                    continue;
                }
            };
            for post in posts {
                let Ok(chat) = post.chat.parse::<i64>() else { continue };
                let key = UserKey::new(Channel::Telegram, &post.chat);
                for r in &post.replies {
                    if !self.send(ChatId(chat), r, &key).await {
                        break;
                    }
                }
            }
        }
        info!("group quiz clock stopped");
    }

    /// Long polling until `shutdown` turns true: each batch is accepted into the pipeline
    /// (durably, deduplicated) before the next offset acknowledges it to Telegram, and handled
    /// per chat, concurrently. At capacity, polling waits instead of acknowledging more.
    pub async fn poll(self: Arc<Self>, pipeline: Pipeline, mut shutdown: watch::Receiver<bool>) {
        if let Err(e) = self.bot.delete_webhook().await {
            warn!(error = %redact(&e, &self.token), "deleteWebhook failed");
        }
        // Update ids are 64-bit: past 2^31 an i32 offset would stop advancing.
        let mut offset: i64 = 0;
        'polling: loop {
            if *shutdown.borrow() {
                break;
            }
            let res = tokio::select! {
                r = self.get_updates(offset) => r,
                _ = shutdown.changed() => break,
            };
            let updates = match res {
                Ok(updates) => updates,
                Err(PollError::RetryAfter(d)) => {
                    tokio::time::sleep(d).await;
                    continue;
                }
                Err(PollError::Other(e)) => {
                    warn!(error = %redact(&e, &self.token), "getUpdates failed; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                        _ = shutdown.changed() => break,
                    }
                    continue;
                }
            };
            for (id, raw) in updates {
                let next = offset.max(id + 1);
                // teloxide reads updates faithfully from text only (from a `Value`, some kinds
                // come out as errors), so the payload is parsed as it will be stored.
                let payload = serde_json::to_vec(&raw).unwrap_or_default();
                let Ok(u) = serde_json::from_slice::<Update>(&payload) else {
                    warn!(update = id, "an update could not be read; skipped");
                    offset = next;
                    continue;
                };
                let slot = loop {
                    if let Some(slot) = pipeline.reserve() {
                        break slot;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                        _ = shutdown.changed() => break 'polling,
                    }
                };
                let (key, chat) = (id.to_string(), chat_key(&u));
                let tg = self.clone();
                let work: Job = Box::pin(async move { tg.process(u).await });
                match pipeline.offer(slot, work, Channel::Telegram, &key, &chat, payload).await {
                    Ok(Offer::Accepted | Offer::Duplicate) => offset = next,
                    Err(e) => {
                        // Not acknowledged: the next getUpdates brings it again.
                        warn!(error = %e, "could not accept an update; polling again shortly");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue 'polling;
                    }
                }
            }
        }
        info!("telegram polling stopped");
    }

    /// `getUpdates` with a 64-bit offset (teloxide's is 32-bit, which stops advancing once
    /// update ids pass 2^31). Returns each update's id with its raw JSON.
    async fn get_updates(&self, offset: i64) -> Result<Vec<(i64, serde_json::Value)>, PollError> {
        let mut url = self.bot.api_url();
        url.set_path(&format!("{}bot{}/getUpdates", url.path(), self.token));
        let allowed = serde_json::to_value(wanted_updates()).unwrap_or_default();
        let body = serde_json::json!({"offset": offset, "timeout": 25, "allowed_updates": allowed});
        let resp = self
            .bot
            .client()
            .post(url)
            .json(&body)
            .timeout(Duration::from_secs(40))
            .send()
            .await
            .map_err(|e| PollError::Other(e.without_url().to_string()))?;
        let v: serde_json::Value =
            resp.json().await.map_err(|e| PollError::Other(e.without_url().to_string()))?;
        if v["ok"].as_bool() != Some(true) {
            if let Some(s) = v["parameters"]["retry_after"].as_u64() {
                return Err(PollError::RetryAfter(Duration::from_secs(s.max(1))));
            }
            return Err(PollError::Other(format!(
                "{} {}",
                v["error_code"].as_i64().unwrap_or(0),
                v["description"].as_str().unwrap_or("")
            )));
        }
        let list = v["result"].as_array().cloned().unwrap_or_default();
        Ok(list.into_iter().filter_map(|u| Some((u["update_id"].as_i64()?, u))).collect())
    }
}

/// Why `getUpdates` failed.
#[derive(Debug)]
enum PollError {
    /// Telegram asked to wait.
    RetryAfter(Duration),
    /// Anything else (network, API error).
    Other(String),
}

/// The chat whose order an update belongs to: its chat, else the user who acted.
#[must_use]
pub fn chat_key(update: &Update) -> String {
    if let Some(chat) = update.chat() {
        return chat.id.0.to_string();
    }
    update.from().map_or_else(|| format!("update:{}", update.id.0), |u| format!("user:{}", u.id.0))
}

impl Handler for Telegram {
    fn job(self: Arc<Self>, payload: Vec<u8>) -> Job {
        Box::pin(async move {
            match serde_json::from_slice::<Update>(&payload) {
                Ok(update) => self.process(update).await,
                Err(e) => warn!(error = %e, "an accepted update could not be read back; skipped"),
            }
        })
    }
}

#[derive(Clone)]
struct Hook {
    tg: Arc<Telegram>,
    secret: Arc<str>,
    pipeline: Pipeline,
}

/// The secret Telegram sends with every webhook request.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

async fn webhook(
    axum::extract::State(hook): axum::extract::State<Hook>,
    req: axum::extract::Request,
) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    let metrics = &hook.pipeline.metrics;
    let given = req.headers().get(SECRET_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    if !super::constant_time_eq(given, hook.secret.as_bytes()) {
        if metrics.reject() {
            warn!(
                present = !given.is_empty(),
                "telegram webhook: wrong or missing secret token (further rejections counted, logged every 10 s)"
            );
        }
        return StatusCode::UNAUTHORIZED;
    }
    let Some(slot) = hook.pipeline.reserve() else { return StatusCode::SERVICE_UNAVAILABLE };
    let body = match super::read_body(req.into_body()).await {
        Ok(b) => b,
        Err(code) => {
            if metrics.reject() {
                warn!(status = code.as_u16(), "telegram webhook: body too large, too slow or unreadable");
            }
            return code;
        }
    };
    let update: Update = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => {
            if metrics.reject() {
                warn!(error = %e, bytes = body.len(), "telegram webhook: malformed update");
            }
            return StatusCode::BAD_REQUEST;
        }
    };
    let (key, chat) = (update.id.0.to_string(), chat_key(&update));
    let tg = hook.tg.clone();
    let work: Job = Box::pin(async move { tg.process(update).await });
    match hook.pipeline.offer(slot, work, Channel::Telegram, &key, &chat, body.to_vec()).await {
        Ok(_) => StatusCode::OK,
        Err(e) => {
            warn!(error = %e, "telegram webhook: could not accept the update; Telegram will retry");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// Caption parts after the first, joined again into messages of at most 4096 characters.
fn split_rest(parts: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in parts {
        match out.last_mut() {
            Some(last) if last.chars().count() + p.chars().count() + 2 <= TELEGRAM_LIMIT => {
                last.push_str("\n\n");
                last.push_str(p);
            }
            _ => out.push(p.clone()),
        }
    }
    out
}

/// How a failed broadcast send should be treated.
fn broadcast_error(e: &RequestError, token: &str) -> SendResult {
    match e {
        RequestError::RetryAfter(s) => SendResult::RetryAfter(s.duration()),
        RequestError::MigrateToChatId(id) => SendResult::Moved(id.0.to_string()),
        RequestError::Api(
            ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::CantInitiateConversation,
        ) => SendResult::Gone(Reason::Blocked),
        RequestError::Api(
            ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::BotKickedFromChannel
            | ApiError::ChatNotFound,
        ) => SendResult::Gone(Reason::RemovedFromChat),
        RequestError::Api(ApiError::Unknown(d)) if d.contains("kicked") || d.contains("not a member") => {
            SendResult::Gone(Reason::RemovedFromChat)
        }
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
            SendResult::Transient(redact(e, token))
        }
        RequestError::Api(ApiError::Unknown(d))
            if ["Internal Server Error", "Bad Gateway", "Gateway", "Service Unavailable"]
                .iter()
                .any(|w| d.contains(w)) =>
        {
            SendResult::Transient(redact(e, token))
        }
        other => SendResult::Failed(redact(other, token)),
    }
}

impl Sender for Telegram {
    fn channel(&self) -> Channel {
        Channel::Telegram
    }

    fn send<'a>(&'a self, chat: &'a str, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let Ok(id) = chat.parse::<i64>() else {
                return SendResult::Failed("not a Telegram chat id".into());
            };
            let mut parts = split(&message.rich(), true, TELEGRAM_LIMIT);
            if let Some(card) = &message.card {
                // The card with the text as its caption; what does not fit follows as text.
                let mut caption = split(&message.rich(), true, CAPTION_LIMIT);
                let first = (!caption.is_empty()).then(|| caption.remove(0));
                match self.send_photo(ChatId(id), card, first, None).await {
                    Ok(()) => {
                        self.metrics.inc(&self.metrics.broadcast_sent);
                        for rest in split_rest(&caption) {
                            if let Err(e) = self
                                .bot
                                .send_message(ChatId(id), rest)
                                .parse_mode(ParseMode::Html)
                                .send()
                                .await
                            {
                                warn!(error = %redact(&e, &self.token), "the rest of a caption could not be sent");
                            }
                        }
                        return SendResult::Sent;
                    }
                    Err(e) => match broadcast_error(&e, &self.token) {
                        // The chat is gone, moved or rate-limited: the same for text.
                        r @ (SendResult::RetryAfter(_) | SendResult::Gone(_) | SendResult::Moved(_)) => {
                            return r;
                        }
                        _ => {
                            warn!(error = %redact(&e, &self.token), "sendPhoto failed; the tip goes out as text");
                            parts = split(&message.rich(), true, TELEGRAM_LIMIT);
                        }
                    },
                }
            }
            // Campaign messages are short (tips ≤ 400, alerts ≤ 1000 characters): one part.
            for part in parts {
                let sent = self
                    .bot
                    .send_message(ChatId(id), part)
                    .parse_mode(ParseMode::Html)
                    .link_preview_options(teloxide::types::LinkPreviewOptions {
                        is_disabled: true,
                        url: None,
                        prefer_small_media: false,
                        prefer_large_media: false,
                        show_above_text: false,
                    })
                    .send()
                    .await;
                if let Err(e) = sent {
                    return broadcast_error(&e, &self.token);
                }
            }
            self.metrics.inc(&self.metrics.broadcast_sent);
            SendResult::Sent
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn caption_overflow_is_joined_into_as_few_messages_as_fit() {
        use super::{TELEGRAM_LIMIT, split_rest};
        let parts = vec!["a".repeat(3000), "b".repeat(1000), "c".repeat(2000)];
        let out = split_rest(&parts);
        assert_eq!(out.len(), 2);
        assert!(out[0].starts_with('a') && out[0].ends_with('b') && out[1] == parts[2]);
        assert!(out.iter().all(|m| m.chars().count() <= TELEGRAM_LIMIT));
        assert!(split_rest(&[]).is_empty());
    }

    #[test]
    fn a_mention_after_text_that_lowercases_longer_is_stripped_cleanly() {
        let me: teloxide::types::Me = serde_json::from_value(serde_json::json!({"id": 999, "is_bot": true,
            "first_name": "canhgiac", "username": "canhgiac_bot", "can_join_groups": true,
            "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false}))
        .expect("me");
        // "İ" lowercases to two characters (3 bytes instead of 2): byte offsets in a Unicode
        // lowercase copy do not fit the original.
        // (teloxide's `Update` deserialises from text, as webhooks and getUpdates deliver it.)
        let update: teloxide::types::Update = serde_json::from_str(&serde_json::json!({"update_id": 1,
            "message": {"message_id": 1, "date": 1_700_000_000, "chat": {"id": -5, "type": "group", "title": "G"},
            "from": {"id": 7, "is_bot": false, "first_name": "A"}, "text": "İİ @canhgiac_bot có lừa không"}}).to_string())
        .expect("update");
        let (inc, _) = super::to_incoming(&update, &me).expect("addressed");
        assert!(inc.addressed);
        assert_eq!(inc.kind, crate::bot::IncomingKind::Text("İİ  có lừa không".into()));
    }

    #[test]
    fn tokens_are_redacted_from_error_messages() {
        let e = "error sending request for url (https://api.telegram.org/bot123:ABC/getUpdates)";
        assert_eq!(
            super::redact(&e, "123:ABC"),
            "error sending request for url (https://api.telegram.org/bot<token>/getUpdates)"
        );
    }
}
