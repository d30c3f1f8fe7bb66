//! The conversation engine: everything a user sees is decided here, for every channel, and it
//! is tested without any network. [`Engine::handle`] is one exhaustive dispatch: commands by
//! the registry ([`crate::model::commands`]), buttons by their [`Action`], texts by the router; each
//! feature's handlers live in their own module (`inquiry`, `personal_quiz`, `admin`,
//! `group_quiz`).

use std::{
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use thiserror::Error;
use tracing::info_span;

use super::{
    action::{Action, MenuItem},
    classify::{Route, Router},
    commands::{Command, HelpSection, help_lines},
    conversation::{Conversations, MemoryConversations, Mode, Remembered},
    privacy::Notice,
    roles::{Role, Roles},
    texts,
    types::{Button, ChatKind, Incoming, IncomingKind, Reply},
};
use crate::{
    campaign::{Campaign, TipSchedule},
    check::Checker,
    content::Content,
    rich::{Rich, Span},
    search::Searcher,
    store::{Store, StoreError, UserKey, UserRow},
};

/// Engine failures (the channel logs them and tells the user something went wrong).
#[derive(Debug, Error)]
pub enum EngineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Search failed.
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    /// The campaign failed.
    #[error(transparent)]
    Campaign(#[from] crate::campaign::CampaignError),
    /// The blocking task running the engine panicked or was cancelled.
    #[error("engine task: {0}")]
    Task(String),
}

/// The channel-agnostic conversation engine.
pub struct Engine {
    pub(super) content: Arc<Content>,
    pub(super) searcher: Arc<Searcher>,
    pub(super) checker: Arc<Checker>,
    pub(super) router: Router,
    pub(super) store: Arc<Store>,
    roles: Roles,
    campaign: Arc<Campaign>,
    waker: Arc<tokio::sync::Notify>,
    pub(super) conversations: Arc<dyn Conversations>,
    /// The privacy notice users agree to.
    pub(super) notice: Notice,
    /// The register of reported entities the checker consults (updated here).
    pub(super) register: Arc<crate::reports::MemoryRegister>,
    /// Calls of [`Engine::handle_async`] running at once.
    calls: tokio::sync::Semaphore,
    /// Where shared cards point: the bot's Telegram username and the public address.
    pub(super) links: std::sync::RwLock<super::tip_card::Links>,
    /// The image reader channels use before the engine sees an image (`None`: images are not
    /// read).
    vision: Option<Arc<crate::vision::Vision>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

/// A seed for the quiz shuffles.
pub(super) fn seed() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(7, |d| d.as_nanos() as u64)
}

/// The main menu's buttons.
pub(super) fn main_menu() -> Vec<Vec<Button>> {
    vec![
        vec![
            Button::new("🔎 Kiểm tra tin nhắn", Action::Menu(MenuItem::Check)),
            Button::new("❓ Hỏi đáp", Action::Menu(MenuItem::Ask)),
        ],
        vec![
            Button::new("📝 Làm trắc nghiệm", Action::Menu(MenuItem::Quiz)),
            Button::new("✋ Năm không", Action::Menu(MenuItem::FiveDonts)),
        ],
        vec![Button::new("🔔 Nhận mẹo hàng tuần", Action::Menu(MenuItem::Subscribe))],
    ]
}

/// One plain reply.
pub(super) fn say(text: &str) -> Vec<Reply> {
    vec![Reply::plain(text)]
}

/// Who is acting, and where: what every handler may need to know.
pub(super) struct Ctx<'a> {
    /// The event.
    pub inc: &'a Incoming,
    /// The user's key.
    pub key: &'a UserKey,
    /// The user's stored row.
    pub user: &'a UserRow,
    /// The user's role.
    pub role: Role,
    /// They agreed to the privacy notice in force: only then is anything about them stored.
    pub consented: bool,
}

impl Ctx<'_> {
    /// The event came from a group.
    pub fn group(&self) -> bool {
        self.inc.chat.kind == ChatKind::Group
    }
}

impl Engine {
    /// An engine over the content, search, checker and store.
    #[must_use]
    pub fn new(
        content: Arc<Content>,
        searcher: Arc<Searcher>,
        checker: Arc<Checker>,
        store: Arc<Store>,
    ) -> Self {
        let campaign = Arc::new(Campaign::new(content.clone(), store.clone(), TipSchedule::default()));
        Self {
            router: Router::new(&content),
            content,
            searcher,
            checker,
            store,
            roles: Roles::default(),
            campaign,
            waker: Arc::new(tokio::sync::Notify::new()),
            conversations: Arc::new(MemoryConversations::default()),
            notice: Notice::default(),
            register: Arc::new(crate::reports::MemoryRegister::default()),
            links: std::sync::RwLock::default(),
            vision: None,
            // The engine's work is CPU and the database: more than two calls per core only
            // add threads (and memory), not throughput.
            calls: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get) * 2,
            ),
        }
    }

    /// With the weekly tip slot from the configuration.
    #[must_use]
    pub fn with_schedule(mut self, schedule: TipSchedule) -> Self {
        let cards = self.campaign.cards().cloned();
        self.campaign =
            Arc::new(Campaign::new(self.content.clone(), self.store.clone(), schedule).with_cards(cards));
        self
    }

    /// With the image reader (OCR and QR codes) the channels use.
    #[must_use]
    pub fn with_vision(mut self, vision: Option<Arc<crate::vision::Vision>>) -> Self {
        self.vision = vision;
        self
    }

    /// The image reader, when images are read.
    #[must_use]
    pub fn vision(&self) -> Option<&Arc<crate::vision::Vision>> {
        self.vision.as_ref()
    }

    /// Reads an image the channel fetched (in the pool; `Busy` when too many wait).
    pub async fn read_image(&self, bytes: Vec<u8>) -> crate::vision::Seen {
        match &self.vision {
            Some(v) => v.read(bytes).await,
            None => crate::vision::Seen::Problem(crate::vision::ImageProblem::OcrMissing),
        }
    }

    /// With tip cards: the weekly tip goes out as an image, `/meo` shows it (`None`: text only).
    #[must_use]
    pub fn with_cards(mut self, cards: Option<Arc<crate::cards::Cards>>) -> Self {
        let schedule = self.campaign.schedule();
        self.campaign =
            Arc::new(Campaign::new(self.content.clone(), self.store.clone(), schedule).with_cards(cards));
        self
    }

    /// With admins and trainers from the configuration.
    #[must_use]
    pub fn with_roles(mut self, roles: Roles) -> Self {
        self.roles = roles;
        self
    }

    /// With the privacy notice built from the configuration (retention periods, the
    /// responsible unit).
    #[must_use]
    pub fn with_notice(mut self, notice: Notice) -> Self {
        self.notice = notice;
        self
    }

    /// With the register of reported entities the checker consults (the same one), which the
    /// engine updates after every report and decision.
    #[must_use]
    pub fn with_register(mut self, register: Arc<crate::reports::MemoryRegister>) -> Self {
        self.register = register;
        self
    }

    /// The register of reported entities (`serve` keeps it in step with the database).
    #[must_use]
    pub fn register(&self) -> &Arc<crate::reports::MemoryRegister> {
        &self.register
    }

    /// The privacy notice in force.
    #[must_use]
    pub fn notice(&self) -> &Notice {
        &self.notice
    }

    /// With conversation state kept elsewhere than the default memory.
    #[must_use]
    pub fn with_conversations(mut self, conversations: Arc<dyn Conversations>) -> Self {
        self.conversations = conversations;
        self
    }

    /// Notified when an admin queues a broadcast (the campaign worker waits on it).
    #[must_use]
    pub fn waker(&self) -> Arc<tokio::sync::Notify> {
        self.waker.clone()
    }

    /// The campaign (the worker drains its outbox).
    #[must_use]
    pub fn campaign(&self) -> &Arc<Campaign> {
        &self.campaign
    }

    pub(super) fn wake_worker(&self) {
        self.waker.notify_waiters();
    }

    /// A user's role (configuration, then grants in the store).
    pub fn role(&self, key: &UserKey) -> Result<Role, EngineError> {
        let stored = self.store.user(key)?.map_or(Role::User, |u| u.role);
        Ok(self.roles.of(key, stored))
    }

    /// The scam checker (the web's check page uses it directly).
    #[must_use]
    pub fn checker(&self) -> &Arc<Checker> {
        &self.checker
    }

    /// The handbook search (the web's question page asks it directly).
    #[must_use]
    pub fn searcher(&self) -> &Arc<Searcher> {
        &self.searcher
    }

    /// The content.
    #[must_use]
    pub fn content(&self) -> &Arc<Content> {
        &self.content
    }

    /// The store (channels mark users inactive through it).
    #[must_use]
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// A channel found that the user blocked the bot (or left): no more pushes to them.
    pub fn user_gone(&self, key: &UserKey) -> Result<(), EngineError> {
        Ok(self.store.mark_gone(key)?)
    }

    /// A channel could not deliver a reply because of the platform's rules (Zalo's 7-day
    /// window): counted for the statistics, with no user.
    pub fn note_unreachable(&self, channel: crate::model::Channel) -> Result<(), EngineError> {
        Ok(self.store.count(&format!("{channel}_unreachable"), "user")?)
    }

    /// Readiness: the store takes a write, search answers, the checker runs.
    pub fn self_test(&self) -> Result<(), EngineError> {
        self.store.probe_write()?;
        self.searcher.ask("mã OTP là gì")?;
        let _ = self.checker.check("Mã OTP của quý khách là 123456.");
        Ok(())
    }

    /// [`Engine::handle`] on a blocking thread, at most two calls per core at once (the rest
    /// wait here, not as threads), for the async channels.
    pub async fn handle_async(self: &Arc<Self>, inc: Incoming) -> Result<Vec<Reply>, EngineError> {
        // The semaphore is never closed, so acquiring only waits.
        let _slot = self.calls.acquire().await;
        let engine = self.clone();
        tokio::task::spawn_blocking(move || engine.handle(&inc))
            .await
            .map_err(|e| EngineError::Task(e.to_string()))?
    }

    /// Handles one incoming event and returns the replies, in order.
    pub fn handle(&self, inc: &Incoming) -> Result<Vec<Reply>, EngineError> {
        let _span = info_span!(
            "handle",
            channel = inc.user.channel.as_str(),
            group = inc.chat.kind == ChatKind::Group
        )
        .entered();
        if inc.chat.kind == ChatKind::Group && !inc.addressed {
            return Ok(Vec::new());
        }
        let key = UserKey::new(inc.user.channel, &inc.user.id);
        if inc.kind == IncomingKind::Left {
            // A user who blocked the bot or unfollowed, or a group the bot was removed from.
            if inc.chat.kind == ChatKind::Group {
                self.store.unsubscribe(key.channel, &inc.chat.id)?;
            } else {
                self.store.mark_gone(&key)?;
                self.conversations.take_follow(&key);
            }
            return Ok(Vec::new());
        }
        // Nothing is written about a user before they agree to the notice in force.
        let stored = self.store.user(&key)?;
        let consented = stored.as_ref().is_some_and(|u| {
            u.consent_at.is_some() && u.consent_version.as_deref() == Some(self.notice.version())
        });
        let user = match stored {
            Some(u) if consented => {
                // The row was just read: most messages come on a day already noted.
                let u = self.store.touch_row(u)?;
                if !u.active {
                    self.store.set_active(&key, true)?;
                }
                u
            }
            Some(u) => u,
            None => UserRow::unknown(key.clone()),
        };
        // One read of the user's row serves every decision below.
        let role = self.roles.of(&key, user.role);
        let cx = Ctx { inc, key: &key, user: &user, role, consented };
        let private = inc.chat.kind == ChatKind::Private;
        let mut out = match &inc.kind {
            IncomingKind::Joined if consented => {
                self.store.set_follower(&key, true)?;
                vec![self.welcome(&cx)]
            }
            IncomingKind::Joined => {
                self.conversations.note_asked(&key);
                self.conversations.note_follow(&key);
                vec![self.notice.request(Some(texts::WELCOME), true)]
            }
            IncomingKind::Left => Vec::new(),
            // An answer from someone who has not agreed is not recorded (the quiz says so).
            IncomingKind::PollAnswer { .. } if !consented => Vec::new(),
            IncomingKind::PollAnswer { poll_id, options, name } => {
                self.poll_answer(&key, poll_id, options, name.as_deref())?;
                Vec::new()
            }
            IncomingKind::Command { name, arg } => match Command::parse(name) {
                Some(command) => self.command(&cx, command, arg.trim())?,
                None => vec![self.help(texts::UNKNOWN_COMMAND, role)],
            },
            IncomingKind::Forwarded(t) => vec![self.check(&key, t)],
            IncomingKind::Text(t) => {
                // In a private chat, a group quiz's join code (with a name) joins it.
                if private && self.is_join_code(t)? {
                    if consented {
                        self.join_by_code(&key, t)?.unwrap_or_else(|| say(texts::UNKNOWN_CODE))
                    } else {
                        self.consent_needed(&cx)
                    }
                } else {
                    self.text(&key, t)?
                }
            }
            IncomingKind::Button(data) => match Action::decode(data) {
                Some(action) => self.action(&cx, action)?,
                None => vec![self.help(texts::HELP_INTRO, role)],
            },
            IncomingKind::Unsupported(_) => vec![Reply::text(Rich::new().para(texts::UNSUPPORTED))],
            IncomingKind::Image { seen, caption } => self.image(&key, seen, caption),
            // The channel did not fetch it (a console, an old update): say how to go on.
            IncomingKind::Photo { .. } => say(texts::UNSUPPORTED),
        };
        // Someone who has not agreed gets their answer, then the notice once in a while.
        let using = match &inc.kind {
            IncomingKind::Text(_)
            | IncomingKind::Forwarded(_)
            | IncomingKind::Unsupported(_)
            | IncomingKind::Image { .. }
            | IncomingKind::Photo { .. } => true,
            IncomingKind::Command { name, .. } => Command::parse(name).is_some_and(|c| {
                matches!(
                    c,
                    Command::Check | Command::Ask | Command::FiveDonts | Command::ReportWhere | Command::Help
                )
            }),
            _ => false,
        };
        if !consented && private && using && !self.conversations.note_asked(&key) {
            out.push(self.notice.request(Some(texts::FIRST_CONTACT), false));
        }
        Ok(out)
    }

    /// Every command, after the registry's role check.
    fn command(&self, cx: &Ctx<'_>, command: Command, arg: &str) -> Result<Vec<Reply>, EngineError> {
        let needed = command.spec().min_role;
        if cx.role < needed {
            return Ok(say(if needed == Role::Admin { texts::ADMIN_ONLY } else { texts::NOT_TRAINER }));
        }
        if command.spec().stores && !cx.consented {
            return Ok(self.consent_needed(cx));
        }
        let key = cx.key;
        Ok(match command {
            Command::Start => vec![self.welcome(cx)],
            Command::Agree => self.consent_answer(cx, true, false)?,
            // What is stored about a person is shown in their private chat only.
            Command::Withdraw | Command::MyData if cx.group() => say(texts::PRIVATE_CHAT_ONLY),
            Command::Withdraw => self.withdraw(cx, cx.consented)?,
            Command::ReportScam if arg.is_empty() => self.ask_for(key, Mode::Report),
            Command::ReportScam => self.report_text(key, arg),
            Command::Review => self.review_reports()?,
            Command::Unconfirm => self.withdraw_confirmation(cx, arg)?,
            Command::MyData => self.my_data(cx)?,
            Command::Help => vec![self.help(texts::HELP_INTRO, cx.role)],
            Command::Check if arg.is_empty() => self.ask_for(key, Mode::Check),
            Command::Check => vec![self.check(key, arg)],
            Command::Ask if arg.is_empty() => self.ask_for(key, Mode::Ask),
            Command::Ask => vec![self.ask(key, arg)?],
            Command::Quiz => self.start_quiz(key)?,
            Command::FiveDonts => vec![self.topic("five_donts")],
            Command::ReportWhere => vec![self.topic("report_channels")],
            Command::Tip => self.this_weeks_tip(cx)?,
            Command::Subscribe => self.subscribe(cx)?,
            Command::Unsubscribe => self.unsubscribe(cx)?,
            Command::DeleteData => vec![Reply::with_buttons(
                Rich::new().para(texts::CONFIRM_DELETE),
                vec![vec![
                    Button::new("🗑 Xóa hết dữ liệu", Action::Delete(true)),
                    Button::new("Hủy", Action::Delete(false)),
                ]],
            )],
            Command::GroupQuiz => self.start_group_quiz(key, cx.role, cx.inc, arg)?,
            Command::StopQuiz => self.stop_group_quiz(key, cx.role, cx.inc)?,
            Command::Results => self.results(key, cx.role, cx.inc, arg)?,
            Command::Join => self.join_by_code(key, arg)?.unwrap_or_else(|| say(texts::UNKNOWN_CODE)),
            Command::SendTip => self.send_tip_now(key)?,
            Command::Alert => vec![self.draft_alert(key, arg)?],
            Command::Stats => vec![Reply::text(self.campaign().stats(crate::store::now())?.render())],
            Command::Web if cx.group() => say(texts::PRIVATE_CHAT_ONLY),
            Command::Web => vec![self.web_link(key)?],
            Command::GrantTrainer => self.grant_trainer(key, cx.role, arg, true)?,
            Command::RevokeTrainer => self.grant_trainer(key, cx.role, arg, false)?,
        })
    }

    /// Every button.
    fn action(&self, cx: &Ctx<'_>, action: Action) -> Result<Vec<Reply>, EngineError> {
        let key = cx.key;
        let stores = matches!(
            action,
            Action::Menu(MenuItem::Quiz | MenuItem::Subscribe)
                | Action::QuizAnswer { .. }
                | Action::Alert { .. }
                | Action::GroupAnswer { .. }
                | Action::ReportSend { feedback: Some(_), .. }
                | Action::Decide { .. }
        );
        if stores && !cx.consented {
            return Ok(self.consent_needed(cx));
        }
        Ok(match action {
            Action::Menu(MenuItem::Check) => self.ask_for(key, Mode::Check),
            Action::Menu(MenuItem::Ask) => self.ask_for(key, Mode::Ask),
            Action::Menu(MenuItem::Quiz) => self.start_quiz(key)?,
            Action::Menu(MenuItem::FiveDonts) => vec![self.topic("five_donts")],
            Action::Menu(MenuItem::Menu) => vec![self.welcome(cx)],
            Action::Menu(MenuItem::Subscribe) => self.subscribe(cx)?,
            Action::Delete(true) => self.delete_data(key)?,
            Action::Consent { agree, follower } => self.consent_answer(cx, agree, follower)?,
            Action::Delete(false) => say(texts::DELETE_CANCELLED),
            Action::QuizAnswer { index, option } => self.answer_quiz(key, index, option)?,
            Action::Detail { id, what: crate::model::action::Detail::Flag } => self.report_draft(key, id),
            Action::Detail { id, what } => self.expand(key, id, what)?,
            Action::Alert { id, send } => self.confirm_alert(cx.key, cx.role, id, send)?,
            Action::ReportSend { id, feedback } => self.report_send(cx, id, feedback)?,
            Action::Decide { entity, decision } => self.decide(cx, entity, decision)?,
            Action::GroupAnswer { session, index, option } => {
                self.code_answer(key, session, index, option)?
            }
        })
    }

    fn ask_for(&self, key: &UserKey, mode: Mode) -> Vec<Reply> {
        self.conversations.set_mode(key, mode);
        say(match mode {
            Mode::Check => texts::ASK_FOR_MESSAGE,
            Mode::Ask => texts::ASK_FOR_QUESTION,
            Mode::Report => texts::ASK_FOR_REPORT,
        })
    }

    /// The welcome: what the bot does and the menu; to someone who has not agreed to the
    /// notice in force, the notice and its question first.
    pub(super) fn welcome(&self, cx: &Ctx<'_>) -> Reply {
        if !cx.consented && !cx.group() {
            self.conversations.note_asked(cx.key);
            let mut r = self.notice.request(None, false);
            r.body = Rich::new().para(texts::WELCOME).bullets(texts::WHAT_I_DO).append(r.body);
            return r;
        }
        Reply::with_buttons(
            Rich::new().para(texts::WELCOME).bullets(texts::WHAT_I_DO).para(texts::PRIVACY_REMINDER),
            main_menu(),
        )
    }

    /// The commands a user may use, from the registry: everyone's, then the trainer's and the
    /// admin's by role.
    pub(super) fn help(&self, intro: &str, role: Role) -> Reply {
        let list = |section: HelpSection| -> Vec<Vec<Span>> {
            help_lines(section)
                .map(|(c, d)| vec![Span::Bold(c.to_owned()), Span::Text(format!(": {d}"))])
                .collect()
        };
        let mut body = Rich::new().para(intro).bullet_spans(list(HelpSection::Everyone));
        if role >= Role::Trainer {
            body = body.heading("Lệnh cho người hướng dẫn").bullet_spans(list(HelpSection::Trainer));
        }
        if role == Role::Admin {
            body = body.heading("Lệnh quản trị").bullet_spans(list(HelpSection::Admin));
        }
        Reply::with_buttons(body, main_menu())
    }

    /// Free text: in the mode the user chose, else routed (check, question, small talk, or
    /// asked which).
    fn text(&self, key: &UserKey, text: &str) -> Result<Vec<Reply>, EngineError> {
        if text.trim().is_empty() {
            return Ok(vec![self.help(texts::HELP_INTRO, Role::User)]);
        }
        Ok(match self.conversations.take_mode(key) {
            Some(Mode::Check) => vec![self.check(key, text)],
            Some(Mode::Ask) => vec![self.ask(key, text)?],
            Some(Mode::Report) => self.report_text(key, text),
            None => {
                let report = self.checker.check(text);
                match self.router.route(text, &report) {
                    Route::Check => vec![self.verdict_reply(key, text, report)],
                    Route::Ask => vec![self.ask(key, text)?],
                    Route::SmallTalk => {
                        vec![Reply::with_buttons(Rich::new().para(texts::SMALL_TALK), main_menu())]
                    }
                    Route::Unsure => {
                        let id = self.remember(key, text, true, None);
                        vec![Reply::with_buttons(
                            Rich::new().para(texts::UNSURE),
                            vec![vec![
                                Button::new(
                                    "🔎 Kiểm tra tin nhắn này",
                                    Action::Detail { id, what: crate::model::action::Detail::Check },
                                ),
                                Button::new(
                                    "❓ Đây là câu hỏi",
                                    Action::Detail { id, what: crate::model::action::Detail::Ask },
                                ),
                            ]],
                        )]
                    }
                }
            }
        })
    }

    pub(super) fn remember(&self, key: &UserKey, text: &str, checked: bool, answer: Option<String>) -> u64 {
        self.conversations.remember(key, Remembered { text: text.to_owned(), checked, answer })
    }
}
