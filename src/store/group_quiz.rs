//! Group quizzes run by trainers: sessions (`poll` mode: native polls posted one after another
//! in a group; `code` mode: participants join with a short code and answer one by one in their
//! private chat), the polls sent (poll id → session, question, correct option), answers and
//! participants. A participant's display name is kept only for the leaderboard and goes with
//! [`Store::delete_user`].
//!
//! Every time is a parameter so that the pacing can be driven (and tested) from outside.

use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreError, UserKey};
use crate::model::{Channel, QuizMode, SessionStatus};

/// A stored group-quiz session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupQuiz {
    /// Session id.
    pub id: i64,
    /// `poll` (native polls in a group) or `code` (join code, private chats).
    pub mode: QuizMode,
    /// Channel of the group (poll mode) or of the trainer (code mode).
    pub channel: Channel,
    /// The group (poll mode).
    pub chat_id: Option<String>,
    /// The join code (code mode).
    pub code: Option<String>,
    /// Who runs it.
    pub trainer: UserKey,
    /// The topic as shown (None: all topics).
    pub topic: Option<String>,
    /// `easy`, `medium` or `hard` (None: all).
    pub difficulty: Option<String>,
    /// Question ids, in order.
    pub questions: Vec<String>,
    /// Seconds each poll stays open (poll mode).
    pub open_period: i64,
    /// Index of the poll posted last (poll mode).
    pub current: usize,
    /// When the next poll is due (poll mode).
    pub next_at: Option<i64>,
    /// `running`, `finished` or `stopped`.
    pub status: SessionStatus,
    /// Unix time.
    pub started_at: i64,
    /// Unix time.
    pub finished_at: Option<i64>,
}

impl GroupQuiz {
    /// Questions asked so far: in poll mode those posted, in code mode all of them.
    #[must_use]
    pub fn asked(&self) -> usize {
        if self.mode == QuizMode::Poll {
            (self.current + 1).min(self.questions.len())
        } else {
            self.questions.len()
        }
    }
}

/// A new session.
#[derive(Debug, Clone)]
pub struct NewGroupQuiz<'a> {
    /// `poll` or `code`.
    pub mode: QuizMode,
    /// Channel.
    pub channel: Channel,
    /// The group (poll mode).
    pub chat_id: Option<&'a str>,
    /// The join code (code mode).
    pub code: Option<&'a str>,
    /// Who runs it.
    pub trainer: &'a UserKey,
    /// Topic as shown.
    pub topic: Option<&'a str>,
    /// Difficulty.
    pub difficulty: Option<&'a str>,
    /// Question ids.
    pub questions: &'a [String],
    /// Seconds per poll.
    pub open_period: i64,
    /// Unix time now.
    pub now: i64,
}

/// What a poll id stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollRef {
    /// Session.
    pub session: i64,
    /// Question index.
    pub question: usize,
    /// Correct option.
    pub correct: usize,
}

/// One line of a leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// Who.
    pub user: UserKey,
    /// Name shown on the platform (if known).
    pub name: Option<String>,
    /// Correct answers.
    pub correct: usize,
    /// Answers given.
    pub answered: usize,
}

/// Answers to one question of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionRate {
    /// Question index.
    pub question: usize,
    /// Answers.
    pub answered: usize,
    /// Correct answers.
    pub correct: usize,
}

const SESSION_COLUMNS: &str =
    "id, mode, channel, chat_id, code, trainer_channel, trainer_id, topic, difficulty,
    questions, open_period, current, next_at, status, started_at, finished_at";

fn session_row(r: &Row<'_>) -> rusqlite::Result<(GroupQuiz, String)> {
    let trainer_channel: Channel = r.get(5)?;
    let trainer_id: String = r.get(6)?;
    let current: i64 = r.get(11)?;
    Ok((
        GroupQuiz {
            id: r.get(0)?,
            mode: r.get(1)?,
            channel: r.get(2)?,
            chat_id: r.get(3)?,
            code: r.get(4)?,
            trainer: UserKey::new(trainer_channel, &trainer_id),
            topic: r.get(7)?,
            difficulty: r.get(8)?,
            questions: Vec::new(),
            open_period: r.get(10)?,
            current: usize::try_from(current).unwrap_or(0),
            next_at: r.get(12)?,
            status: r.get(13)?,
            started_at: r.get(14)?,
            finished_at: r.get(15)?,
        },
        r.get(9)?,
    ))
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

impl Store {
    fn sessions_where(
        &self,
        filter: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<GroupQuiz>, StoreError> {
        let c = self.conn();
        let mut st = c.prepare(&format!("SELECT {SESSION_COLUMNS} FROM group_quizzes WHERE {filter}"))?;
        let rows = st.query_map(args, session_row)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(mut s, questions)| {
                s.questions = serde_json::from_str(&questions)?;
                Ok(s)
            })
            .collect()
    }

    /// Creates a running session; poll mode starts with its first poll due at once (index 0
    /// is posted by the caller, the next one after `open_period`). Returns its id, or `None`
    /// when the join code is taken by another running session.
    pub fn create_group_quiz(&self, q: &NewGroupQuiz<'_>) -> Result<Option<i64>, StoreError> {
        let c = self.conn();
        let next_at = (q.mode == QuizMode::Poll).then_some(q.now + q.open_period);
        let n = c.execute(
            "INSERT OR IGNORE INTO group_quizzes (mode, channel, chat_id, code, trainer_channel, trainer_id,
                 topic, difficulty, questions, open_period, next_at, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                q.mode,
                q.channel,
                q.chat_id,
                q.code,
                q.trainer.channel,
                q.trainer.id,
                q.topic,
                q.difficulty,
                serde_json::to_string(q.questions)?,
                q.open_period,
                next_at,
                q.now
            ],
        )?;
        Ok((n > 0).then(|| c.last_insert_rowid()))
    }

    /// A session.
    pub fn group_quiz(&self, id: i64) -> Result<Option<GroupQuiz>, StoreError> {
        Ok(self.sessions_where("id = ?1", params![id])?.pop())
    }

    /// The running session of a group chat.
    pub fn running_group_quiz(&self, channel: Channel, chat: &str) -> Result<Option<GroupQuiz>, StoreError> {
        Ok(self
            .sessions_where(
                "status = 'running' AND channel = ?1 AND chat_id = ?2 ORDER BY id DESC LIMIT 1",
                params![channel, chat],
            )?
            .pop())
    }

    /// The running session with this join code.
    pub fn group_quiz_by_code(&self, code: &str) -> Result<Option<GroupQuiz>, StoreError> {
        Ok(self.sessions_where("status = 'running' AND code = ?1", params![code])?.pop())
    }

    /// A trainer's latest sessions, newest first (with `running_only`, only those still running).
    pub fn trainer_group_quizzes(
        &self,
        trainer: &UserKey,
        running_only: bool,
        limit: usize,
    ) -> Result<Vec<GroupQuiz>, StoreError> {
        self.sessions_where(
            "trainer_channel = ?1 AND trainer_id = ?2 AND (?3 = 0 OR status = 'running') ORDER BY id DESC LIMIT ?4",
            params![trainer.channel, trainer.id, running_only, to_i64(limit)],
        )
    }

    /// The latest sessions of every trainer, newest first.
    pub fn latest_group_quizzes(&self, limit: usize) -> Result<Vec<GroupQuiz>, StoreError> {
        self.sessions_where("1 = 1 ORDER BY id DESC LIMIT ?1", params![to_i64(limit)])
    }

    /// Running poll-mode sessions of a channel whose next step is due at `now`.
    pub fn due_group_quizzes(&self, channel: Channel, now: i64) -> Result<Vec<GroupQuiz>, StoreError> {
        self.sessions_where(
            "status = 'running' AND mode = 'poll' AND channel = ?1 AND next_at <= ?2 ORDER BY id",
            params![channel, now],
        )
    }

    /// Moves a running session from poll `from` to `from + 1`, due again at `next_at`. False
    /// if someone else moved or stopped it first.
    pub fn advance_group_quiz(&self, id: i64, from: usize, next_at: i64) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE group_quizzes SET current = current + 1, next_at = ?3
             WHERE id = ?1 AND current = ?2 AND status = 'running'",
            params![id, to_i64(from), next_at],
        )? > 0)
    }

    /// Makes the next step of a running session due at `at` (everyone has answered).
    pub fn hurry_group_quiz(&self, id: i64, at: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE group_quizzes SET next_at = ?2 WHERE id = ?1 AND status = 'running' AND next_at > ?2",
            params![id, at],
        )?;
        Ok(())
    }

    /// Ends a running session (`finished` or `stopped`). False if it was not running.
    /// Each participant's score goes into the anonymous counters (`group_score`, key
    /// `correct/asked`, on the session's first day) that the report reads, so its figures stay
    /// when names and answers go.
    pub fn end_group_quiz(&self, id: i64, status: SessionStatus, now: i64) -> Result<bool, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let ended = tx.execute(
            "UPDATE group_quizzes SET status = ?2, finished_at = ?3, next_at = NULL WHERE id = ?1 AND status = 'running'",
            params![id, status, now],
        )? > 0;
        if ended {
            tx.execute(
                "INSERT INTO stats (day, kind, key, count)
                 SELECT day, 'group_score', c || '/' || n, COUNT(*) FROM
                     (SELECT date(g.started_at, 'unixepoch', '+7 hours') AS day, SUM(a.correct) AS c,
                             CASE g.mode WHEN 'poll' THEN MIN(g.current + 1, json_array_length(g.questions))
                                  ELSE json_array_length(g.questions) END AS n
                      FROM group_answers a JOIN group_quizzes g ON g.id = a.session_id
                      WHERE g.id = ?1 GROUP BY a.channel, a.user_id)
                 WHERE true GROUP BY day, 3
                 ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count",
                params![id],
            )?;
        }
        tx.commit()?;
        Ok(ended)
    }

    /// Remembers what a poll the channel sent stands for.
    pub fn record_poll(&self, poll_id: &str, poll: PollRef, now: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT OR REPLACE INTO group_polls (poll_id, session_id, question, correct, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![poll_id, poll.session, to_i64(poll.question), to_i64(poll.correct), now],
        )?;
        Ok(())
    }

    /// What a poll stands for, if the bot sent it.
    pub fn poll(&self, poll_id: &str) -> Result<Option<PollRef>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT session_id, question, correct FROM group_polls WHERE poll_id = ?1",
                params![poll_id],
                |r| {
                    Ok(PollRef {
                        session: r.get(0)?,
                        question: to_usize(r.get(1)?),
                        correct: to_usize(r.get(2)?),
                    })
                },
            )
            .optional()?)
    }

    /// Adds a participant (or updates the name they show). True if they are new.
    pub fn join_group_quiz(
        &self,
        session: i64,
        k: &UserKey,
        name: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let c = self.conn();
        let n = c.execute(
            "INSERT OR IGNORE INTO participants (session_id, channel, user_id, display_name, joined_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![session, k.channel, k.id, name, now],
        )?;
        if n == 0 && name.is_some() {
            c.execute(
                "UPDATE participants SET display_name = ?4 WHERE session_id = ?1 AND channel = ?2 AND user_id = ?3",
                params![session, k.channel, k.id, name],
            )?;
        }
        Ok(n > 0)
    }

    /// A participant's next question (code mode), and whether they have finished.
    pub fn participant(&self, session: i64, k: &UserKey) -> Result<Option<(usize, bool)>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT next_question, finished_at IS NOT NULL FROM participants
                 WHERE session_id = ?1 AND channel = ?2 AND user_id = ?3",
                params![session, k.channel, k.id],
                |r| Ok((to_usize(r.get(0)?), r.get(1)?)),
            )
            .optional()?)
    }

    /// Records an answer (the first one per question counts) and, in code mode, moves the
    /// participant on (`finished` after the last question). Returns false for a repeat.
    #[allow(clippy::too_many_arguments)]
    pub fn record_group_answer(
        &self,
        session: i64,
        k: &UserKey,
        question: usize,
        option: usize,
        correct: bool,
        finished: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO participants (session_id, channel, user_id, joined_at) VALUES (?1, ?2, ?3, ?4)",
            params![session, k.channel, k.id, now],
        )?;
        let n = tx.execute(
            "INSERT OR IGNORE INTO group_answers (session_id, channel, user_id, question, option, correct, answered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![session, k.channel, k.id, to_i64(question), to_i64(option), correct, now],
        )?;
        if n > 0 {
            tx.execute(
                "UPDATE participants SET next_question = MAX(next_question, ?4 + 1),
                     finished_at = CASE WHEN ?5 THEN ?6 ELSE finished_at END
                 WHERE session_id = ?1 AND channel = ?2 AND user_id = ?3",
                params![session, k.channel, k.id, to_i64(question), finished, now],
            )?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    /// Whether every participant so far has answered this question.
    pub fn all_answered(&self, session: i64, question: usize) -> Result<bool, StoreError> {
        Ok(self.conn().query_row(
            "SELECT (SELECT COUNT(*) FROM participants WHERE session_id = ?1)
                  = (SELECT COUNT(*) FROM group_answers WHERE session_id = ?1 AND question = ?2)",
            params![session, to_i64(question)],
            |r| r.get(0),
        )?)
    }

    /// The leaderboard: most correct first, then fewest answers needed, then who joined first.
    pub fn standings(&self, session: i64) -> Result<Vec<Standing>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(
            "SELECT p.channel, p.user_id, p.display_name,
                    COALESCE(SUM(a.correct), 0), COUNT(a.question), MAX(a.answered_at)
             FROM participants p LEFT JOIN group_answers a
               ON a.session_id = p.session_id AND a.channel = p.channel AND a.user_id = p.user_id
             WHERE p.session_id = ?1
             GROUP BY p.channel, p.user_id
             ORDER BY 4 DESC, 6, p.joined_at, p.rowid",
        )?;
        let rows = st.query_map(params![session], |r| {
            let channel: Channel = r.get(0)?;
            let id: String = r.get(1)?;
            Ok(Standing {
                user: UserKey::new(channel, &id),
                name: r.get(2)?,
                correct: to_usize(r.get(3)?),
                answered: to_usize(r.get(4)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Answers and correct answers per question of a session.
    pub fn question_rates(&self, session: i64) -> Result<Vec<QuestionRate>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(
            "SELECT question, COUNT(*), SUM(correct) FROM group_answers WHERE session_id = ?1
             GROUP BY question ORDER BY question",
        )?;
        let rows = st.query_map(params![session], |r| {
            Ok(QuestionRate {
                question: to_usize(r.get(0)?),
                answered: to_usize(r.get(1)?),
                correct: to_usize(r.get(2)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_poll_quiz<'a>(trainer: &'a UserKey, questions: &'a [String]) -> NewGroupQuiz<'a> {
        NewGroupQuiz {
            mode: QuizMode::Poll,
            channel: Channel::Telegram,
            chat_id: Some("-100"),
            code: None,
            trainer,
            topic: None,
            difficulty: None,
            questions,
            open_period: 30,
            now: 1000,
        }
    }

    #[test]
    fn poll_session_pacing_answers_and_leaderboard() {
        let s = Store::in_memory().expect("store");
        let trainer = UserKey::new(Channel::Telegram, "1");
        let qs = vec!["a".to_owned(), "b".to_owned()];
        let id = s.create_group_quiz(&new_poll_quiz(&trainer, &qs)).expect("create").expect("id");
        assert!(s.due_group_quizzes(Channel::Telegram, 1029).expect("due").is_empty());
        assert_eq!(s.due_group_quizzes(Channel::Telegram, 1030).expect("due")[0].id, id);
        s.record_poll("p0", PollRef { session: id, question: 0, correct: 2 }, 1000).expect("poll");
        assert_eq!(s.poll("p0").expect("poll"), Some(PollRef { session: id, question: 0, correct: 2 }));
        let (u, v) = (UserKey::new(Channel::Telegram, "7"), UserKey::new(Channel::Telegram, "8"));
        s.join_group_quiz(id, &u, Some("Lan"), 1001).expect("join");
        assert!(s.record_group_answer(id, &u, 0, 2, true, false, 1001).expect("answer"));
        assert!(!s.record_group_answer(id, &u, 0, 1, false, false, 1002).expect("repeat ignored"));
        assert!(s.all_answered(id, 0).expect("all"));
        s.record_group_answer(id, &v, 0, 1, false, false, 1003).expect("answer");
        assert!(s.advance_group_quiz(id, 0, 1060).expect("advance"));
        assert!(!s.advance_group_quiz(id, 0, 1060).expect("only once"));
        assert!(!s.all_answered(id, 1).expect("nobody yet"));
        s.record_group_answer(id, &v, 1, 0, true, false, 1040).expect("answer");
        let board = s.standings(id).expect("standings");
        assert_eq!(
            board.iter().map(|b| (b.name.as_deref(), b.correct, b.answered)).collect::<Vec<_>>(),
            [(Some("Lan"), 1, 1), (None, 1, 2)]
        );
        let rates = s.question_rates(id).expect("rates");
        assert_eq!(rates[0], QuestionRate { question: 0, answered: 2, correct: 1 });
        assert!(s.end_group_quiz(id, SessionStatus::Finished, 1070).expect("end"));
        assert!(!s.end_group_quiz(id, SessionStatus::Stopped, 1071).expect("ended once"));
        assert_eq!(s.group_quiz(id).expect("get").expect("row").asked(), 2);
        s.delete_user(&u).expect("delete");
        assert_eq!(s.standings(id).expect("standings").len(), 1, "deleted participants leave the board");
    }

    #[test]
    fn join_codes_are_unique_among_running_sessions() {
        let s = Store::in_memory().expect("store");
        let trainer = UserKey::new(Channel::Zalo, "t");
        let qs = vec!["a".to_owned()];
        let mut q = new_poll_quiz(&trainer, &qs);
        q.mode = QuizMode::Code;
        q.chat_id = None;
        q.code = Some("ABC234");
        let id = s.create_group_quiz(&q).expect("create").expect("id");
        assert_eq!(s.create_group_quiz(&q).expect("taken"), None);
        assert_eq!(s.group_quiz_by_code("ABC234").expect("by code").map(|g| g.id), Some(id));
        let k = UserKey::new(Channel::Zalo, "p");
        s.join_group_quiz(id, &k, None, 1).expect("join");
        s.record_group_answer(id, &k, 0, 0, true, true, 2).expect("answer");
        assert_eq!(s.participant(id, &k).expect("participant"), Some((1, true)));
        s.end_group_quiz(id, SessionStatus::Stopped, 3).expect("stop");
        assert!(s.create_group_quiz(&q).expect("free again").is_some());
        s.delete_user(&trainer).expect("delete trainer");
        assert!(s.trainer_group_quizzes(&trainer, false, 5).expect("list").is_empty());
    }
}
