//! The conversation engine: everything a user sees is decided here, for every channel, and it
//! is tested without any network.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use thiserror::Error;
use tracing::{debug, info_span};

use super::{
    classify::{Route, Router},
    roles::{Role, Roles},
    texts,
    types::{Button, ChatKind, Incoming, IncomingKind, Reply},
};
use crate::{
    campaign::{Campaign, TipSchedule},
    check::{Checker, Report, Verdict},
    content::{Content, Entry},
    quiz::{self, LETTERS, QUIZ_LEN, Rng},
    rich::{Rich, Span},
    search::{Outcome, Searcher, render_entry},
    store::{QuizState, Store, StoreError, UserKey},
};

#[path = "group_quiz.rs"]
mod group_quiz;
pub use group_quiz::GroupPost;

/// How long a pasted text stays in memory for the "more" buttons.
pub const CACHE_TTL: Duration = Duration::from_secs(15 * 60);
const CACHE_CAP: usize = 5000;

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
}

/// What a pending "next text" should be treated as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check,
    Ask,
}

struct Cached {
    owner: UserKey,
    text: String,
    report: Option<Report>,
    answer: Option<String>,
    created: Instant,
}

#[derive(Default)]
struct Memory {
    next_id: u64,
    items: HashMap<String, Cached>,
    modes: HashMap<UserKey, (Mode, Instant)>,
}

/// The channel-agnostic conversation engine.
pub struct Engine {
    content: Arc<Content>,
    searcher: Arc<Searcher>,
    checker: Arc<Checker>,
    router: Router,
    store: Arc<Store>,
    roles: Roles,
    campaign: Arc<Campaign>,
    waker: Arc<tokio::sync::Notify>,
    memory: Mutex<Memory>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

fn seed() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(7, |d| d.as_nanos() as u64)
}

fn main_menu() -> Vec<Vec<Button>> {
    vec![
        vec![Button::new("🔎 Kiểm tra tin nhắn", "m:check"), Button::new("❓ Hỏi đáp", "m:ask")],
        vec![Button::new("📝 Làm trắc nghiệm", "m:quiz"), Button::new("✋ Năm không", "m:5k")],
        vec![Button::new("🔔 Nhận mẹo hàng tuần", "m:sub")],
    ]
}

fn first_sentences(text: &str, max_chars: usize) -> String {
    let t = text.trim();
    if t.chars().count() <= max_chars {
        return t.to_owned();
    }
    let cut: String = t.chars().take(max_chars).collect();
    match cut.rfind(". ") {
        Some(i) if i > max_chars / 3 => cut[..=i].to_owned(),
        _ => format!("{}…", cut.trim_end()),
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
            memory: Mutex::new(Memory::default()),
        }
    }

    /// With the weekly tip slot from the configuration.
    #[must_use]
    pub fn with_schedule(mut self, schedule: TipSchedule) -> Self {
        self.campaign = Arc::new(Campaign::new(self.content.clone(), self.store.clone(), schedule));
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

    /// With admins and trainers from the configuration.
    #[must_use]
    pub fn with_roles(mut self, roles: Roles) -> Self {
        self.roles = roles;
        self
    }

    /// A user's role (configuration, then grants in the store).
    pub fn role(&self, key: &UserKey) -> Result<Role, EngineError> {
        let stored = self.store.user(key)?.map(|u| u.role).unwrap_or_default();
        Ok(self.roles.of(key, &stored))
    }

    /// The store (channels mark users inactive through it).
    #[must_use]
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    fn mem(&self) -> std::sync::MutexGuard<'_, Memory> {
        crate::lock(&self.memory)
    }

    /// Handles one incoming event and returns the replies, in order.
    pub fn handle(&self, inc: &Incoming) -> Result<Vec<Reply>, EngineError> {
        let _span =
            info_span!("handle", channel = inc.user.channel.name(), group = inc.chat.kind == ChatKind::Group)
                .entered();
        if inc.chat.kind == ChatKind::Group && !inc.addressed {
            return Ok(Vec::new());
        }
        let key = UserKey::new(inc.user.channel.name(), &inc.user.id);
        if inc.kind == IncomingKind::Left {
            // A user who blocked the bot or unfollowed, or a group the bot was removed from.
            if inc.chat.kind == ChatKind::Group {
                self.store.unsubscribe(&key.channel, &inc.chat.id)?;
            } else {
                self.store.mark_gone(&key)?;
            }
            return Ok(Vec::new());
        }
        let user = self.store.touch_user(&key)?;
        let mut out = Vec::new();
        let first_contact = user.consent_at.is_none();
        let starting = matches!(&inc.kind, IncomingKind::Command { name, .. } if name == "start")
            || inc.kind == IncomingKind::Joined;
        if first_contact {
            self.store.set_consent(&key)?;
            // The short privacy note goes to private chats only: a group never gets extra messages.
            if !starting && inc.chat.kind == ChatKind::Private {
                out.push(Reply::text(
                    Rich::new()
                        .para(format!("{} {}", texts::WELCOME, texts::PRIVACY[1]))
                        .para("Gõ /start để xem đầy đủ."),
                ));
            }
        } else if !user.active {
            self.store.set_active(&key, true)?;
        }
        // One read of the user's row serves every decision below.
        let role = self.roles.of(&key, &user.role);
        if let Some(replies) = self.group_quiz(&key, inc, role)? {
            out.extend(replies);
            return Ok(out);
        }
        let replies = match &inc.kind {
            IncomingKind::Joined => {
                self.store.set_follower(&key, true)?;
                vec![self.welcome()]
            }
            IncomingKind::Left | IncomingKind::PollAnswer { .. } => Vec::new(),
            IncomingKind::Command { name, arg } => {
                match self.campaign_command(inc, &key, &user, role, name, arg.trim())? {
                    Some(r) => r,
                    None => self.command(&key, role, name, arg.trim())?,
                }
            }
            IncomingKind::Forwarded(t) => vec![self.check(&key, t)],
            IncomingKind::Text(t) => self.text(&key, t)?,
            IncomingKind::Button(data) => match self.campaign_button(inc, &key, &user, role, data)? {
                Some(r) => r,
                None => self.button(&key, data)?,
            },
            IncomingKind::Unsupported(_) => vec![Reply::text(Rich::new().para(texts::UNSUPPORTED))],
        };
        out.extend(replies);
        Ok(out)
    }

    fn welcome(&self) -> Reply {
        Reply::with_buttons(
            Rich::new()
                .para(texts::WELCOME)
                .bullets(texts::WHAT_I_DO)
                .heading("Quyền riêng tư")
                .bullets(texts::PRIVACY),
            main_menu(),
        )
    }

    /// The commands a user may use: everyone's, then the trainer's and the admin's by role.
    pub(super) fn help(&self, intro: &str, role: Role) -> Reply {
        let list = |lines: &[(&str, &str)]| -> Vec<Vec<Span>> {
            lines
                .iter()
                .map(|(c, d)| vec![Span::Bold((*c).to_owned()), Span::Text(format!(": {d}"))])
                .collect()
        };
        let mut body = Rich::new().para(intro).bullet_spans(list(&texts::HELP));
        if role >= Role::Trainer {
            body = body.heading("Lệnh cho người hướng dẫn").bullet_spans(list(&texts::TRAINER_HELP));
        }
        if role == Role::Admin {
            body = body.heading("Lệnh quản trị").bullet_spans(list(&texts::ADMIN_HELP));
        }
        Reply::with_buttons(body, main_menu())
    }

    fn command(&self, key: &UserKey, role: Role, name: &str, arg: &str) -> Result<Vec<Reply>, EngineError> {
        Ok(match name {
            "start" | "menu" => vec![self.welcome()],
            "trogiup" | "help" => vec![self.help(texts::HELP_INTRO, role)],
            "kiemtra" | "check" if arg.is_empty() => {
                self.set_mode(key, Mode::Check);
                vec![Reply::text(Rich::new().para(texts::ASK_FOR_MESSAGE))]
            }
            "kiemtra" | "check" => vec![self.check(key, arg)],
            "hoi" | "ask" if arg.is_empty() => {
                self.set_mode(key, Mode::Ask);
                vec![Reply::text(Rich::new().para(texts::ASK_FOR_QUESTION))]
            }
            "hoi" | "ask" => vec![self.ask(key, arg)?],
            "quiz" | "tracnghiem" => self.start_quiz(key)?,
            "5khong" | "namkhong" => vec![self.topic("five_donts")],
            "baocao" => vec![self.topic("report_channels")],
            "xoadulieu" => vec![Reply::with_buttons(
                Rich::new().para(texts::CONFIRM_DELETE),
                vec![vec![Button::new("🗑 Xóa hết dữ liệu", "del:yes"), Button::new("Hủy", "del:no")]],
            )],
            _ => vec![self.help(texts::UNKNOWN_COMMAND, role)],
        })
    }

    fn set_mode(&self, key: &UserKey, mode: Mode) {
        self.mem().modes.insert(key.clone(), (mode, Instant::now()));
    }

    fn take_mode(&self, key: &UserKey) -> Option<Mode> {
        let (mode, at) = self.mem().modes.remove(key)?;
        (at.elapsed() < CACHE_TTL).then_some(mode)
    }

    fn text(&self, key: &UserKey, text: &str) -> Result<Vec<Reply>, EngineError> {
        if text.trim().is_empty() {
            return Ok(vec![self.help(texts::HELP_INTRO, Role::User)]);
        }
        Ok(match self.take_mode(key) {
            Some(Mode::Check) => vec![self.check(key, text)],
            Some(Mode::Ask) => vec![self.ask(key, text)?],
            None => {
                let report = self.checker.check(text);
                match self.router.route(text, &report) {
                    Route::Check => vec![self.verdict_reply(key, text, report)],
                    Route::Ask => vec![self.ask(key, text)?],
                    Route::SmallTalk => {
                        vec![Reply::with_buttons(Rich::new().para(texts::SMALL_TALK), main_menu())]
                    }
                    Route::Unsure => {
                        let id = self.remember(key, text, Some(report), None);
                        vec![Reply::with_buttons(
                            Rich::new().para(texts::UNSURE),
                            vec![vec![
                                Button::new("🔎 Kiểm tra tin nhắn này", format!("x:{id}:chk")),
                                Button::new("❓ Đây là câu hỏi", format!("x:{id}:ask")),
                            ]],
                        )]
                    }
                }
            }
        })
    }

    fn remember(&self, key: &UserKey, text: &str, report: Option<Report>, answer: Option<String>) -> String {
        let mut m = self.mem();
        m.items.retain(|_, c| c.created.elapsed() < CACHE_TTL);
        if m.items.len() >= CACHE_CAP
            && let Some(oldest) = m.items.iter().min_by_key(|(_, c)| c.created).map(|(k, _)| k.clone())
        {
            m.items.remove(&oldest);
        }
        m.next_id += 1;
        let id = format!("{:x}", m.next_id);
        m.items.insert(
            id.clone(),
            Cached { owner: key.clone(), text: text.to_owned(), report, answer, created: Instant::now() },
        );
        id
    }

    fn recall(&self, key: &UserKey, id: &str) -> Option<(String, Option<Report>, Option<String>)> {
        let m = self.mem();
        let c = m.items.get(id)?;
        (c.owner == *key && c.created.elapsed() < CACHE_TTL)
            .then(|| (c.text.clone(), c.report.clone(), c.answer.clone()))
    }

    /// Checks a message: verdict first, top reasons, closest form, buttons to expand.
    fn check(&self, key: &UserKey, text: &str) -> Reply {
        self.verdict_reply(key, text, self.checker.check(text))
    }

    /// The verdict reply for a report already made (routing checks the text once).
    fn verdict_reply(&self, key: &UserKey, text: &str, r: Report) -> Reply {
        let _ = self.store.count("verdict", r.verdict.as_str());
        if let Some((form, _)) = r.types.first() {
            let _ = self.store.count("form", form);
        }
        debug!(verdict = r.verdict.as_str(), "checked a message");
        let body = crate::check::render_summary(&self.content, &r);
        let verdict = r.verdict;
        let id = self.remember(key, text, Some(r), None);
        let mut buttons = Vec::new();
        if verdict != Verdict::Safe {
            buttons.push(vec![
                Button::new("🔎 Vì sao?", format!("x:{id}:why")),
                Button::new("✅ Nên làm gì", format!("x:{id}:todo")),
            ]);
        }
        buttons.push(vec![
            Button::new("📣 Báo cáo ở đâu", format!("x:{id}:rep")),
            Button::new("❓ Đây là câu hỏi", format!("x:{id}:ask")),
        ]);
        Reply::with_buttons(body, buttons)
    }

    /// Answers a question: title and summary first, buttons for signs, advice, related forms.
    fn ask(&self, key: &UserKey, text: &str) -> Result<Reply, EngineError> {
        match self.searcher.ask(text)? {
            Outcome::Answer(a) => {
                let _ = self.store.count("answer", &a.id);
                let entry = self.content.entry(&a.id);
                let id = self.remember(key, text, None, Some(a.id.clone()));
                let mut buttons = Vec::new();
                let body = match entry {
                    Some(Entry::Form(f)) => {
                        buttons.push(vec![
                            Button::new("⚠️ Dấu hiệu", format!("x:{id}:signs")),
                            Button::new("🛡 Cách phòng tránh", format!("x:{id}:adv")),
                        ]);
                        buttons.push(vec![
                            Button::new("🔗 Hình thức liên quan", format!("x:{id}:rel")),
                            Button::new("🔎 Kiểm tra tin này", format!("x:{id}:chk")),
                        ]);
                        Rich::new()
                            .spans(vec![Span::Bold(f.title.clone())])
                            .para(first_sentences(&f.summary, 400))
                    }
                    _ => {
                        buttons.push(vec![
                            Button::new("📣 Báo cáo ở đâu", format!("x:{id}:rep")),
                            Button::new("🔎 Kiểm tra tin này", format!("x:{id}:chk")),
                        ]);
                        Rich::new().spans(vec![Span::Bold(a.title.clone())]).append(a.body)
                    }
                };
                Ok(Reply::with_buttons(body, buttons))
            }
            Outcome::NoMatch { candidates } => {
                let _ = self.store.count("answer", "none");
                let id = self.remember(key, text, None, None);
                let mut r = Reply::text(crate::search::no_match_text(&self.content, &candidates));
                // The main menu without "Hỏi đáp" (they are asking already): five buttons, the
                // most Zalo shows.
                let mut menu: Vec<Button> =
                    main_menu().into_iter().flatten().filter(|b| b.data != "m:ask").collect();
                menu.insert(0, Button::new("🔎 Kiểm tra như một tin nhắn", format!("x:{id}:chk")));
                r.buttons = menu.chunks(2).map(<[Button]>::to_vec).collect();
                Ok(r)
            }
        }
    }

    fn topic(&self, id: &str) -> Reply {
        match self.content.entry(id) {
            Some(e) => Reply::text(
                Rich::new()
                    .spans(vec![Span::Bold(e.title().to_owned())])
                    .append(render_entry(&self.content, e)),
            ),
            None => Reply::text(Rich::new().para(texts::EXPIRED)),
        }
    }

    fn button(&self, key: &UserKey, data: &str) -> Result<Vec<Reply>, EngineError> {
        let parts: Vec<&str> = data.split(':').collect();
        Ok(match parts.as_slice() {
            ["m", "check"] => {
                self.set_mode(key, Mode::Check);
                vec![Reply::text(Rich::new().para(texts::ASK_FOR_MESSAGE))]
            }
            ["m", "ask"] => {
                self.set_mode(key, Mode::Ask);
                vec![Reply::text(Rich::new().para(texts::ASK_FOR_QUESTION))]
            }
            ["m", "quiz"] => self.start_quiz(key)?,
            ["m", "5k"] => vec![self.topic("five_donts")],
            ["m", "menu"] => vec![self.welcome()],
            ["del", "yes"] => {
                let existed = self.store.delete_user(key)?;
                let mut m = self.mem();
                m.items.retain(|_, c| c.owner != *key);
                m.modes.remove(key);
                vec![Reply::text(Rich::new().para(if existed {
                    texts::DELETED
                } else {
                    texts::NOTHING_TO_DELETE
                }))]
            }
            ["del", "no"] => vec![Reply::text(Rich::new().para(texts::DELETE_CANCELLED))],
            ["q", index, option] => self.answer_quiz(key, index, option)?,
            ["x", id, what] => self.expand(key, id, what)?,
            _ => vec![self.help(texts::HELP_INTRO, Role::User)],
        })
    }

    fn expand(&self, key: &UserKey, id: &str, what: &str) -> Result<Vec<Reply>, EngineError> {
        let Some((text, report, answer)) = self.recall(key, id) else {
            return Ok(vec![Reply::text(Rich::new().para(texts::EXPIRED))]);
        };
        let form = answer.as_deref().and_then(|a| self.content.form(a));
        Ok(match (what, &report, form) {
            ("why", Some(r), _) => vec![Reply::text(crate::check::render_card(&self.content, r))],
            ("todo", Some(r), _) => {
                vec![Reply::text(Rich::new().heading("Anh/chị nên").bullets(r.advice.clone()))]
            }
            ("rep", _, _) => vec![self.topic("report_channels")],
            ("ask", _, _) => vec![self.ask(key, &text)?],
            ("chk", _, _) => vec![self.check(key, &text)],
            ("signs", _, Some(f)) => {
                vec![Reply::text(
                    Rich::new().heading(format!("Dấu hiệu: {}", f.title)).bullets(f.signs.clone()),
                )]
            }
            ("adv", _, Some(f)) => {
                vec![Reply::text(
                    Rich::new().heading(format!("Phòng tránh: {}", f.title)).bullets(f.advice.clone()),
                )]
            }
            ("rel", _, Some(f)) => {
                let items: Vec<String> = f
                    .related
                    .iter()
                    .filter_map(|r| self.content.form(r))
                    .map(|r| format!("{}: {}", r.title, first_sentences(&r.summary, 160)))
                    .collect();
                vec![Reply::text(Rich::new().heading("Hình thức liên quan").bullets(items))]
            }
            _ => vec![Reply::text(Rich::new().para(texts::EXPIRED))],
        })
    }

    fn start_quiz(&self, key: &UserKey) -> Result<Vec<Reply>, EngineError> {
        let missed = self.store.missed(key)?;
        let questions = quiz::select(&self.content, &missed, &mut Rng::new(seed()));
        let state = QuizState { questions, index: 0, score: 0 };
        self.store.save_quiz(key, Some(&state))?;
        let intro = if missed.is_empty() {
            format!("Bắt đầu bài trắc nghiệm {QUIZ_LEN} câu. Chọn đáp án bằng các nút bên dưới.")
        } else {
            format!("Bắt đầu bài trắc nghiệm {QUIZ_LEN} câu, có cả những câu anh/chị từng trả lời chưa đúng.")
        };
        Ok(vec![Reply::text(Rich::new().para(intro)), self.question(&state)])
    }

    fn question(&self, state: &QuizState) -> Reply {
        let Some(q) = state.questions.get(state.index).and_then(|id| self.content.question(id)) else {
            return Reply::text(Rich::new().para(texts::NO_QUIZ));
        };
        let row: Vec<Button> = (0..q.options.len())
            .map(|i| Button::new(LETTERS.get(i).unwrap_or(&"?"), format!("q:{}:{i}", state.index)))
            .collect();
        Reply::with_buttons(
            Rich::new().para(quiz::render(q, state.index + 1, state.questions.len())),
            vec![row],
        )
    }

    fn answer_quiz(&self, key: &UserKey, index: &str, option: &str) -> Result<Vec<Reply>, EngineError> {
        let Some(mut state) = self.store.quiz(key)? else {
            return Ok(vec![Reply::text(Rich::new().para(texts::NO_QUIZ))]);
        };
        let (Ok(index), Ok(option)) = (index.parse::<usize>(), option.parse::<usize>()) else {
            return Ok(vec![Reply::text(Rich::new().para(texts::STALE_QUIZ))]);
        };
        if index != state.index {
            return Ok(vec![Reply::text(Rich::new().para(texts::STALE_QUIZ))]);
        }
        let Some(q) = state.questions.get(index).and_then(|id| self.content.question(id)) else {
            self.store.save_quiz(key, None)?;
            return Ok(vec![Reply::text(Rich::new().para(texts::NO_QUIZ))]);
        };
        let right = q.correct_index();
        let correct = option == right;
        self.store.set_missed(key, &q.id, !correct)?;
        if correct {
            state.score += 1;
        }
        self.count_answer(&q.id, correct);
        let feedback = quiz::feedback(q, correct);
        let mut out = vec![Reply::text(feedback)];
        state.index += 1;
        if state.index < state.questions.len() {
            self.store.save_quiz(key, Some(&state))?;
            out.push(self.question(&state));
        } else {
            self.store.save_quiz(key, None)?;
            self.store.record_quiz(key, state.score, state.questions.len())?;
            let total = state.questions.len();
            let verdict = match state.score * 10 / total.max(1) {
                9..=10 => "Xuất sắc! Anh/chị nhận diện lừa đảo rất tốt.",
                7..=8 => "Khá tốt! Xem lại vài câu chưa đúng nhé.",
                _ => "Anh/chị nên ôn thêm: các câu chưa đúng sẽ được hỏi lại ở lần sau.",
            };
            out.push(Reply::with_buttons(
                Rich::new()
                    .spans(vec![Span::Bold(format!("Kết quả: {}/{total} câu đúng.", state.score))])
                    .para(verdict),
                vec![vec![Button::new("🔁 Làm bài mới", "m:quiz"), Button::new("🏠 Menu", "m:menu")]],
            ));
        }
        Ok(out)
    }
}
