//! Trainer features of the engine: group quizzes and their results.
//!
//! - In a Telegram group, `/quiznhom` posts native quiz polls one after another; the pacing
//!   lives in the store (a restart loses nothing) and is driven by the channel calling
//!   [`Engine::due_group_quizzes`] every second; `/dungquiz` ends early. Each poll stays open
//!   for the session's period, or less once everyone who has played so far has answered.
//! - In a private chat (Zalo, or Telegram), `/quiznhom` opens a session with a short join code;
//!   participants send the code (and the name to show) and answer with buttons at their pace.
//! - `/ketqua` shows a trainer the leaderboard and per-question rates (and a CSV on Telegram);
//!   admins grant and revoke the trainer role with `/captrainer` and `/botrainer`.

use tracing::{debug, info_span};

use super::engine::{Engine, EngineError, say, seed};
use crate::{
    bot::{
        action::Action,
        roles::Role,
        texts,
        types::{Attachment, Button, Channel, ChatKind, Document, Incoming, QuizPoll, Reply},
    },
    content::QuizQuestion,
    model::{AuditAction, QuizMode, SessionStatus},
    quiz::{
        self, LETTERS, Rng,
        group::{self as gq, SpecError},
    },
    report::session::{self as results, SessionResults},
    rich::{Rich, Span},
    store::{GroupQuiz, NewGroupQuiz, PollRef, UserKey, now},
};

/// Replies for a group chat produced by the pacing clock (the next poll, the leaderboard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPost {
    /// The group's chat id.
    pub chat: String,
    /// What to send, in order.
    pub replies: Vec<Reply>,
}

/// Join codes use letters and digits that cannot be mistaken for each other.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 6;
/// Longest display name kept for a leaderboard.
const MAX_NAME: usize = 40;
/// Leaderboard lines shown in a chat.
const BOARD_LINES: usize = 10;

fn new_code(rng: &mut Rng) -> String {
    (0..CODE_LEN)
        .map(|_| {
            let i = usize::try_from(rng.next_u64() % CODE_ALPHABET.len() as u64).unwrap_or(0);
            char::from(CODE_ALPHABET[i])
        })
        .collect()
}

/// The word as a join code, if it could be one.
fn as_code(word: &str) -> Option<String> {
    let w = word.trim().to_ascii_uppercase();
    (w.len() == CODE_LEN && w.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(w)
}

fn clean_name(name: &str) -> Option<String> {
    let n: String = name.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_NAME).collect();
    (!n.is_empty()).then_some(n)
}

impl Engine {
    /// Counts an answer for the "most missed questions" figures (aggregate, no user).
    pub(super) fn count_answer(&self, question: &str, correct: bool) {
        if let Err(e) = self.store.unit_of_work(|u| u.count_answer(question, correct)) {
            tracing::warn!(error = %e, "counting a quiz answer failed");
        }
    }

    fn question_of(&self, s: &GroupQuiz, index: usize) -> Option<&QuizQuestion> {
        let id = s.questions.get(index)?;
        self.content.question(id)
    }

    fn poll_reply(&self, s: &GroupQuiz, index: usize) -> Option<Reply> {
        let q = self.question_of(s, index)?;
        Some(Reply::with_attachment(
            Rich::new(),
            Attachment::Poll(QuizPoll {
                session: s.id,
                index,
                question: format!("Câu {}/{}: {}", index + 1, s.questions.len(), q.question.trim()),
                options: q.options.iter().map(|o| o.text.trim().to_owned()).collect(),
                correct: q.correct_index(),
                explanation: q.explanation.trim().to_owned(),
                open_period: u16::try_from(s.open_period).unwrap_or(gq::DEFAULT_SECONDS),
            }),
        ))
    }

    pub(super) fn start_group_quiz(
        &self,
        key: &UserKey,
        role: Role,
        inc: &Incoming,
        arg: &str,
    ) -> Result<Vec<Reply>, EngineError> {
        if role < Role::Trainer {
            return Ok(say(texts::NOT_TRAINER));
        }
        let spec = match gq::parse_spec(&self.content, arg) {
            Ok(s) => s,
            // The words in the error are folded; quote what the trainer typed.
            Err(SpecError::UnknownTopic(_)) => {
                return Ok(say(&format!(
                    "Tôi chưa tìm thấy chủ đề trong \"{}\". Anh/chị thử tên một hình thức lừa đảo, ví dụ: otp, deepfake, khóa sim, ngân hàng, việc làm.",
                    arg.trim()
                )));
            }
        };
        let group = inc.chat.kind == ChatKind::Group;
        if group && inc.user.channel != Channel::Telegram {
            return Ok(say(texts::POLLS_NEED_TELEGRAM));
        }
        let channel = inc.user.channel;
        if group && self.store.running_group_quiz(channel, &inc.chat.id)?.is_some() {
            return Ok(say(texts::GROUP_QUIZ_RUNNING));
        }
        let mut rng = Rng::new(seed());
        let questions = gq::select_group(&self.content, &spec, &mut rng);
        if questions.is_empty() {
            return Ok(say(texts::NO_GROUP_QUESTIONS));
        }
        let difficulty = spec.difficulty.map(gq::difficulty_name);
        let topic = spec.topic.as_ref().map(|t| t.label.as_str());
        let t = now();
        let mut created = None;
        for _ in 0..8 {
            let code = (!group).then(|| new_code(&mut rng));
            let new = NewGroupQuiz {
                mode: if group { QuizMode::Poll } else { QuizMode::Code },
                channel,
                chat_id: group.then_some(inc.chat.id.as_str()),
                code: code.as_deref(),
                trainer: key,
                topic,
                difficulty,
                questions: &questions,
                open_period: i64::from(spec.seconds),
                now: t,
            };
            if let Some(id) = self.store.create_group_quiz(&new)? {
                created = Some(id);
                break;
            }
        }
        let Some(id) = created else { return Ok(say(texts::NO_GROUP_QUESTIONS)) };
        let Some(s) = self.store.group_quiz(id)? else { return Ok(say(texts::NO_GROUP_QUESTIONS)) };
        let _span = info_span!("group_quiz", session = id, mode = s.mode.as_str()).entered();
        debug!(questions = questions.len(), "group quiz started");
        let mut about = format!("{} câu", questions.len());
        if let Some(t) = topic {
            about.push_str(&format!(", chủ đề: {t}"));
        }
        if let Some(d) = difficulty {
            about.push_str(&format!(", mức {}", gq::difficulty_label(d)));
        }
        let mut intro = Rich::new();
        if questions.len() < spec.len {
            intro =
                intro.para(format!("Bộ câu hỏi chỉ có {} câu phù hợp với lựa chọn này.", questions.len()));
        }
        if group {
            intro = intro
                .spans(vec![Span::Bold(format!("📝 Trắc nghiệm nhóm: {about}, mỗi câu {} giây.", s.open_period))])
                .para("Mọi người chọn đáp án ngay trên từng câu hỏi; chỉ tính lần chọn đầu tiên. Cuối bài có bảng xếp hạng.")
                .para(texts::GROUP_QUIZ_PRIVACY)
                .para("Người hướng dẫn gõ /dungquiz để kết thúc sớm.");
            let mut out = vec![Reply::text(intro)];
            out.extend(self.poll_reply(&s, 0));
            return Ok(out);
        }
        let code = s.code.clone().unwrap_or_default();
        intro = intro
            .spans(vec![Span::Bold(format!("📝 Đã tạo bài trắc nghiệm: {about}."))])
            .spans(vec![Span::Text("Mã tham gia: ".into()), Span::Bold(code.clone())])
            .para(format!(
                "Học viên nhắn mã kèm tên muốn hiện trên bảng xếp hạng cho tôi (Zalo OA hoặc Telegram), ví dụ: {code} Nguyễn Lan."
            ))
            .para("Gõ /ketqua để xem bảng xếp hạng bất cứ lúc nào, /dungquiz để đóng bài.");
        Ok(vec![Reply::text(intro)])
    }

    /// Steps every running poll session of a channel whose poll has closed (or everyone has
    /// answered): posts the next poll or ends with the leaderboard. `now` in Unix seconds.
    pub fn due_group_quizzes(&self, channel: Channel, now: i64) -> Result<Vec<GroupPost>, EngineError> {
        let mut posts = Vec::new();
        for s in self.store.due_group_quizzes(channel, now)? {
            let _span = info_span!("group_quiz_step", session = s.id, current = s.current).entered();
            let next = s.current + 1;
            let replies = if next < s.questions.len() {
                if !self.store.advance_group_quiz(s.id, s.current, now + s.open_period)? {
                    continue;
                }
                self.poll_reply(&s, next).into_iter().collect()
            } else {
                if !self.store.end_group_quiz(s.id, SessionStatus::Finished, now)? {
                    continue;
                }
                debug!("group quiz finished");
                vec![self.leaderboard(s.id)?]
            };
            posts.push(GroupPost { chat: s.chat_id.clone().unwrap_or_default(), replies });
        }
        Ok(posts)
    }

    /// The channel sent a poll and got this id back: answers to it can now be scored.
    pub fn poll_sent(&self, poll: &QuizPoll, poll_id: &str) -> Result<(), EngineError> {
        let r = PollRef { session: poll.session, question: poll.index, correct: poll.correct };
        self.store.record_poll(poll_id, r, now())?;
        Ok(())
    }

    pub(super) fn poll_answer(
        &self,
        key: &UserKey,
        poll_id: &str,
        options: &[usize],
        name: Option<&str>,
    ) -> Result<(), EngineError> {
        // A retracted vote (no options) keeps the first answer: only the first choice counts.
        let (Some(p), Some(&option)) = (self.store.poll(poll_id)?, options.first()) else { return Ok(()) };
        let Some(s) = self.store.group_quiz(p.session)?.filter(|s| s.status == SessionStatus::Running) else {
            return Ok(());
        };
        let t = now();
        let correct = option == p.correct;
        self.store.join_group_quiz(s.id, key, name.and_then(clean_name).as_deref(), t)?;
        if self.store.record_group_answer(s.id, key, p.question, option, correct, false, t)?
            && let Some(id) = s.questions.get(p.question)
        {
            self.count_answer(id, correct);
        }
        // From the second question on, move on once everyone who plays has answered.
        if p.question == s.current && p.question > 0 && self.store.all_answered(s.id, p.question)? {
            self.store.hurry_group_quiz(s.id, t)?;
        }
        Ok(())
    }

    pub(super) fn stop_group_quiz(
        &self,
        key: &UserKey,
        role: Role,
        inc: &Incoming,
    ) -> Result<Vec<Reply>, EngineError> {
        if role < Role::Trainer {
            return Ok(say(texts::NOT_TRAINER));
        }
        let running = if inc.chat.kind == ChatKind::Group {
            self.store.running_group_quiz(inc.user.channel, &inc.chat.id)?
        } else {
            self.store.trainer_group_quizzes(key, true, 1)?.pop()
        };
        let Some(s) = running else { return Ok(say(texts::NO_GROUP_QUIZ)) };
        // A code session ends when its trainer closes it; a poll session ends early.
        let status = if s.mode == QuizMode::Poll { SessionStatus::Stopped } else { SessionStatus::Finished };
        if !self.store.end_group_quiz(s.id, status, now())? {
            return Ok(say(texts::NO_GROUP_QUIZ));
        }
        Ok(vec![self.leaderboard(s.id)?])
    }

    fn session_results(&self, id: i64) -> Result<Option<SessionResults>, EngineError> {
        Ok(SessionResults::load(&self.store, id)?)
    }

    fn leaderboard(&self, id: i64) -> Result<Reply, EngineError> {
        Ok(match self.session_results(id)? {
            Some(r) => Reply::text(results::leaderboard(&r, BOARD_LINES)),
            None => Reply::text(Rich::new().para(texts::NO_SESSIONS)),
        })
    }

    pub(super) fn results(
        &self,
        key: &UserKey,
        role: Role,
        inc: &Incoming,
        arg: &str,
    ) -> Result<Vec<Reply>, EngineError> {
        if role < Role::Trainer {
            return Ok(say(texts::NOT_TRAINER));
        }
        let words: Vec<&str> = arg.split_whitespace().collect();
        let csv = words.iter().any(|w| w.eq_ignore_ascii_case("csv"));
        let chosen = words.iter().find_map(|w| w.trim_start_matches('#').parse::<i64>().ok());
        let session = match chosen {
            Some(id) => self.store.group_quiz(id)?.filter(|s| s.trainer == *key || role == Role::Admin),
            None => self.store.trainer_group_quizzes(key, false, 1)?.pop(),
        };
        let Some(r) = session.map(|s| self.session_results(s.id)).transpose()?.flatten() else {
            return Ok(say(texts::NO_SESSIONS));
        };
        let mut body = results::leaderboard(&r, BOARD_LINES)
            .append(results::rates(&r, |i| self.question_of(&r.session, i).map(|q| q.question.clone())));
        let earlier = self.store.trainer_group_quizzes(key, false, 6)?;
        let others: Vec<String> = earlier
            .iter()
            .filter(|s| s.id != r.session.id)
            .map(|s| format!("/ketqua {}: {}", s.id, results::title(s)))
            .collect();
        if !others.is_empty() {
            body = body.heading("Các bài trước").bullets(others);
        }
        let mut out = vec![Reply::text(body)];
        if csv {
            if inc.user.channel == Channel::Telegram {
                let bytes = results::csv(&r, true, |i| self.question_of(&r.session, i).map(|q| q.id.clone()));
                out.push(Reply::with_attachment(
                    Rich::new(),
                    Attachment::Document(Document {
                        file_name: format!("ket-qua-trac-nghiem-{}.csv", r.session.id),
                        bytes: bytes.into_bytes(),
                    }),
                ));
            } else {
                out.push(Reply::text(Rich::new().para(format!(
                    "{} {}",
                    texts::CSV_NEEDS_TELEGRAM,
                    r.session.id
                ))));
            }
        }
        Ok(out)
    }

    /// `CODE [tên]` or `/thamgia CODE [tên]`: joins a running code session and asks the next
    /// question. `None` when the first word is not a running session's code.
    /// The text starts with the code of a running code-mode session.
    pub(super) fn is_join_code(&self, text: &str) -> Result<bool, EngineError> {
        let Some(code) = text.split_whitespace().next().and_then(as_code) else { return Ok(false) };
        Ok(self.store.group_quiz_by_code(&code)?.is_some_and(|s| s.mode == QuizMode::Code))
    }

    pub(super) fn join_by_code(&self, key: &UserKey, text: &str) -> Result<Option<Vec<Reply>>, EngineError> {
        let mut words = text.split_whitespace();
        let Some(code) = words.next().and_then(as_code) else { return Ok(None) };
        let Some(s) = self.store.group_quiz_by_code(&code)?.filter(|s| s.mode == QuizMode::Code) else {
            return Ok(None);
        };
        let name = clean_name(&words.collect::<Vec<_>>().join(" "));
        let t = now();
        self.store.join_group_quiz(s.id, key, name.as_deref(), t)?;
        let (next, finished) = self.store.participant(s.id, key)?.unwrap_or((0, false));
        if finished {
            return Ok(Some(vec![self.own_score(&s, key)?]));
        }
        let shown = name.unwrap_or_else(|| "chưa có (gửi lại mã kèm tên để thêm)".to_owned());
        let intro = Rich::new()
            .spans(vec![Span::Bold(format!("📝 Anh/chị đã tham gia: {}.", results::title(&s)))])
            .para(format!("Tên trên bảng xếp hạng: {shown}."))
            .para(texts::GROUP_QUIZ_PRIVACY);
        let mut out = vec![Reply::text(intro)];
        out.extend(self.code_question(&s, next));
        Ok(Some(out))
    }

    fn code_question(&self, s: &GroupQuiz, index: usize) -> Option<Reply> {
        let q = self.question_of(s, index)?;
        let row: Vec<Button> = (0..q.options.len())
            .map(|i| {
                Button::new(
                    LETTERS.get(i).unwrap_or(&"?"),
                    Action::GroupAnswer { session: s.id, index, option: i },
                )
            })
            .collect();
        Some(Reply::with_buttons(Rich::new().para(quiz::render(q, index + 1, s.questions.len())), vec![row]))
    }

    fn own_score(&self, s: &GroupQuiz, key: &UserKey) -> Result<Reply, EngineError> {
        let correct =
            self.store.standings(s.id)?.into_iter().find(|b| b.user == *key).map_or(0, |b| b.correct);
        Ok(Reply::text(
            Rich::new()
                .spans(vec![Span::Bold(format!(
                    "Anh/chị đã hoàn thành: {correct}/{} câu đúng.",
                    s.questions.len()
                ))])
                .para("Người hướng dẫn sẽ công bố bảng xếp hạng. Cảm ơn anh/chị!"),
        ))
    }

    /// An answer button in a code session.
    pub(super) fn code_answer(
        &self,
        key: &UserKey,
        session: i64,
        index: usize,
        option: usize,
    ) -> Result<Vec<Reply>, EngineError> {
        let Some(s) = self.store.group_quiz(session)?.filter(|s| s.status == SessionStatus::Running) else {
            return Ok(say(texts::GROUP_QUIZ_ENDED));
        };
        let Some((next, finished)) = self.store.participant(s.id, key)? else {
            return Ok(say(texts::UNKNOWN_CODE));
        };
        if finished || index != next {
            return Ok(say(texts::STALE_QUIZ));
        }
        let Some(q) = self.question_of(&s, index) else { return Ok(say(texts::GROUP_QUIZ_ENDED)) };
        let correct = option == q.correct_index();
        let last = index + 1 >= s.questions.len();
        if self.store.record_group_answer(s.id, key, index, option, correct, last, now())? {
            self.count_answer(&q.id, correct);
        }
        let mut out = vec![Reply::text(quiz::feedback(q, correct))];
        if last {
            out.push(self.own_score(&s, key)?);
        } else {
            out.extend(self.code_question(&s, index + 1));
        }
        Ok(out)
    }

    pub(super) fn grant_trainer(
        &self,
        by: &UserKey,
        role: Role,
        arg: &str,
        grant: bool,
    ) -> Result<Vec<Reply>, EngineError> {
        if role < Role::Admin {
            return Ok(say(texts::ADMIN_ONLY));
        }
        let command = if grant { "/captrainer" } else { "/botrainer" };
        let target = crate::bot::parse_user(command, arg).ok().filter(|k| k.channel != Channel::Console);
        let Some(target) = target else {
            return Ok(say(&format!(
                "Anh/chị ghi rõ người dùng, ví dụ: {command} telegram:123456789 hoặc zalo:84123456789."
            )));
        };
        self.store.set_role(&target, if grant { Role::Trainer } else { Role::User })?;
        let who = target.to_string();
        let action = if grant { AuditAction::GrantTrainer } else { AuditAction::RevokeTrainer };
        self.store.audit(&by.to_string(), action, &who, crate::store::now())?;
        if !grant {
            // Their web console sessions end with the role.
            self.store.revoke_web_access(&target, crate::store::now())?;
        }
        Ok(say(&if grant {
            format!("Đã cấp quyền người hướng dẫn cho {who}.")
        } else {
            format!("Đã thu hồi quyền người hướng dẫn của {who}.")
        }))
    }
}
