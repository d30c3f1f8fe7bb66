//! The data subject's view: everything the store holds about one user, for `/dulieucuatoi`
//! (the right of access, Law 91/2025/QH15), read in one transaction.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{QuizState, Store, StoreError, UserKey};

/// The user's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// First stored (Unix seconds).
    pub created_at: i64,
    /// Consent given (Unix seconds).
    pub consent_at: Option<i64>,
    /// The notice version agreed to.
    pub consent_version: Option<String>,
    /// Stored role.
    pub role: String,
    /// Reachable (has not blocked the bot).
    pub active: bool,
    /// Follows the Zalo OA.
    pub follower: bool,
    /// Last day of contact (Vietnamese date).
    pub last_seen: Option<String>,
}

/// A finished personal quiz.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuizResult {
    /// When (Unix seconds).
    pub finished_at: i64,
    /// Correct answers.
    pub score: i64,
    /// Questions.
    pub total: i64,
}

/// Taking part in a group quiz.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participation {
    /// The session.
    pub session: i64,
    /// The name shown on the leaderboard.
    pub display_name: Option<String>,
    /// Joined (Unix seconds).
    pub joined_at: i64,
    /// Answers given.
    pub answers: i64,
}

/// Everything stored about one user. [`SubjectData::rows`] counts it per table, and a test
/// holds that count against every table of the schema that names a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SubjectData {
    /// The user's record (`None`: nothing stored).
    pub record: Option<Record>,
    /// Weekly tips for their private chat since (Unix seconds).
    pub subscribed_at: Option<i64>,
    /// Tips assigned to their chat (tip ids, oldest first).
    pub tips: Vec<String>,
    /// The quiz in progress.
    pub quiz_in_progress: Option<QuizState>,
    /// Questions to ask again.
    pub missed_questions: Vec<String>,
    /// Finished quizzes.
    pub quiz_results: Vec<QuizResult>,
    /// Group quizzes taken part in.
    pub group_quizzes: Vec<Participation>,
    /// Group quizzes run as a trainer (session ids).
    pub sessions_run: Vec<i64>,
    /// Messages sent (or to be sent) to their chat, per status.
    pub deliveries: BTreeMap<String, i64>,
    /// Broadcasts they created as an admin.
    pub broadcasts_created: i64,
    /// Scam reports they made (kept under a pseudonymous key).
    pub reports_made: i64,
    /// Of those, reports whose outcome they wait to hear (their chat is kept until then).
    pub feedback_waiting: i64,
    /// Decisions on reports they took as an admin.
    pub decisions_made: i64,
    /// Sign-in links to the web console made for them and not yet purged.
    pub web_links: i64,
    /// Web console sessions (Unix seconds signed in, last used, browser).
    pub web_sessions: Vec<(i64, i64, Option<String>)>,
    /// Their entries in the audit log of admin actions.
    pub audit_entries: i64,
}

impl SubjectData {
    /// Whether anything is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows().values().all(|n| *n == 0)
    }

    /// Rows per table held about the user.
    #[must_use]
    pub fn rows(&self) -> BTreeMap<&'static str, i64> {
        let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
        BTreeMap::from([
            ("users", i64::from(self.record.is_some())),
            ("subscriptions", i64::from(self.subscribed_at.is_some())),
            ("tip_history", n(self.tips.len())),
            ("quiz_sessions", i64::from(self.quiz_in_progress.is_some())),
            ("quiz_missed", n(self.missed_questions.len())),
            ("quiz_results", n(self.quiz_results.len())),
            ("participants", n(self.group_quizzes.len())),
            ("group_answers", self.group_quizzes.iter().map(|p| p.answers).sum()),
            ("group_quizzes", n(self.sessions_run.len())),
            ("outbox", self.deliveries.values().sum()),
            ("broadcasts", self.broadcasts_created),
            ("scam_reports", self.feedback_waiting),
            ("report_decisions", self.decisions_made),
            ("web_links", self.web_links),
            ("web_sessions", n(self.web_sessions.len())),
            ("audit_log", self.audit_entries),
        ])
    }
}

impl SubjectData {
    /// The file a user (or an operator on their behalf) gets: the stored data as JSON, with
    /// the key and when it was made.
    pub fn export(&self, k: &UserKey) -> Result<Vec<u8>, serde_json::Error> {
        let doc = serde_json::json!({
            "channel": k.channel.as_str(),
            "user_id": k.id,
            "exported_at": super::now(),
            "data": self,
        });
        serde_json::to_vec_pretty(&doc)
    }
}

impl Store {
    /// Everything stored about a user, at their request (`/dulieucuatoi`, or an operator's
    /// `data show`): counted for the report's privacy section (a count of the day, no user).
    pub fn subject_request(&self, k: &UserKey) -> Result<SubjectData, StoreError> {
        let data = self.subject_data(k)?;
        self.count("privacy", "access")?;
        Ok(data)
    }

    /// Everything stored about a user.
    pub fn subject_data(&self, k: &UserKey) -> Result<SubjectData, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let key = params![k.channel, k.id];
        let record = tx
            .query_row(
                "SELECT created_at, consent_at, consent_version, role, active, follower, last_seen
                 FROM users WHERE channel = ?1 AND user_id = ?2",
                key,
                |r| {
                    Ok(Record {
                        created_at: r.get(0)?,
                        consent_at: r.get(1)?,
                        consent_version: r.get(2)?,
                        role: r.get(3)?,
                        active: r.get(4)?,
                        follower: r.get(5)?,
                        last_seen: r.get(6)?,
                    })
                },
            )
            .optional()?;
        let subscribed_at = tx
            .query_row(
                "SELECT subscribed_at FROM subscriptions WHERE channel = ?1 AND chat_id = ?2",
                key,
                |r| r.get(0),
            )
            .optional()?;
        let strings = |sql: &str| -> Result<Vec<String>, StoreError> {
            let mut st = tx.prepare(sql)?;
            let rows = st.query_map(key, |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let tips = strings(
            "SELECT tip_id FROM tip_history WHERE channel = ?1 AND chat_id = ?2 ORDER BY assigned_at, tip_id",
        )?;
        let missed_questions = strings(
            "SELECT question_id FROM quiz_missed WHERE channel = ?1 AND user_id = ?2 ORDER BY question_id",
        )?;
        let quiz_in_progress = super::Unit { c: &tx }.quiz(k)?;
        let quiz_results = {
            let mut st = tx.prepare(
                "SELECT finished_at, score, total FROM quiz_results WHERE channel = ?1 AND user_id = ?2
                 ORDER BY finished_at",
            )?;
            let rows = st.query_map(key, |r| {
                Ok(QuizResult { finished_at: r.get(0)?, score: r.get(1)?, total: r.get(2)? })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let group_quizzes = {
            let mut st = tx.prepare(
                "SELECT p.session_id, p.display_name, p.joined_at,
                        (SELECT COUNT(*) FROM group_answers a WHERE a.session_id = p.session_id
                           AND a.channel = p.channel AND a.user_id = p.user_id)
                 FROM participants p WHERE p.channel = ?1 AND p.user_id = ?2 ORDER BY p.session_id",
            )?;
            let rows = st.query_map(key, |r| {
                Ok(Participation {
                    session: r.get(0)?,
                    display_name: r.get(1)?,
                    joined_at: r.get(2)?,
                    answers: r.get(3)?,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let sessions_run = {
            let mut st = tx.prepare(
                "SELECT id FROM group_quizzes WHERE trainer_channel = ?1 AND trainer_id = ?2 ORDER BY id",
            )?;
            let rows = st.query_map(key, |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let deliveries = {
            let mut st = tx.prepare(
                "SELECT status, COUNT(*) FROM outbox WHERE channel = ?1 AND chat_id = ?2 GROUP BY status",
            )?;
            let rows = st.query_map(key, |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let broadcasts_created = tx.query_row(
            "SELECT COUNT(*) FROM broadcasts WHERE created_by = ?1",
            [format!("{}:{}", k.channel, k.id)],
            |r| r.get(0),
        )?;
        let (reports_made, feedback_waiting) = super::reports::reports_of(&tx, k)?;
        let decisions_made = tx.query_row(
            "SELECT COUNT(*) FROM report_decisions WHERE decided_by = ?1",
            [format!("{}:{}", k.channel, k.id)],
            |r| r.get(0),
        )?;
        let web_links =
            tx.query_row("SELECT COUNT(*) FROM web_links WHERE channel = ?1 AND user_id = ?2", key, |r| {
                r.get(0)
            })?;
        let web_sessions = {
            let mut st = tx.prepare(
                "SELECT created_at, last_seen, agent FROM web_sessions WHERE channel = ?1 AND user_id = ?2 ORDER BY id",
            )?;
            let rows = st.query_map(key, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let audit_entries = tx.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE who = ?1",
            [format!("{}:{}", k.channel, k.id)],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(SubjectData {
            web_links,
            web_sessions,
            audit_entries,
            reports_made,
            feedback_waiting,
            decisions_made,
            record,
            subscribed_at,
            tips,
            quiz_in_progress,
            missed_questions,
            quiz_results,
            group_quizzes,
            sessions_run,
            deliveries,
            broadcasts_created,
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::{Channel, QuizMode};
    use crate::store::{NewGroupQuiz, QuizState};

    /// A user with something in every table that can name them: consent, subscription, a
    /// tip, a quiz in progress, a missed question, a result, a group quiz taken and one run,
    /// and an alert made (with its delivery rows).
    pub fn populate(s: &Store, u: &UserKey, code: &str, t: i64) {
        s.give_consent(u, "v1").expect("consent");
        s.set_subscribed(u, true).expect("subscribe");
        s.record_tip(u.channel, &u.id, "tip_001", 0).expect("tip");
        let state = QuizState { questions: vec!["a".into(), "b".into()], index: 1, score: 1, missed: vec![] };
        s.save_quiz(u, Some(&state)).expect("quiz");
        s.set_missed(u, "q_x", true).expect("missed");
        s.record_quiz(u, 8, 10).expect("result");
        let questions = vec!["q1".to_owned(), "q2".to_owned()];
        let session = s
            .create_group_quiz(&NewGroupQuiz {
                mode: QuizMode::Code,
                channel: u.channel,
                chat_id: None,
                code: Some(code),
                trainer: u,
                topic: None,
                difficulty: None,
                questions: &questions,
                open_period: 30,
                now: t,
            })
            .expect("create")
            .expect("new code");
        s.join_group_quiz(session, u, Some("Lan"), t).expect("join");
        s.record_group_answer(session, u, 0, 1, true, false, t).expect("answer");
        let alert = s.create_alert_draft("Cảnh báo", &format!("{}:{}", u.channel, u.id)).expect("draft");
        s.queue_alert(alert).expect("queue");
        let phone = format!("09{:08}", t % 100_000_000 + u64_of(&u.id));
        let entities = [(crate::model::EntityKind::Phone, phone, None)];
        let report = crate::store::NewReport {
            reporter: u,
            feedback: true,
            entities: &entities,
            form: Some("fake_police_procuracy"),
            verdict: "scam",
            daily_limit: 20,
        };
        assert_eq!(s.report_scam(&report).expect("report").new, 1);
        // A sign-in to the web console: a spent link, a session and two audit entries.
        let link = s.create_login_link(u, t, t + 600).expect("link");
        s.redeem_login_link(&link, t + 1, t + 3600, Some("Firefox")).expect("redeem").expect("session");
        // A spent link is deleted when the next is made; this one is still unused.
        s.create_login_link(u, t + 2, t + 600).expect("link");
        s.audit(&u.to_string(), crate::model::AuditAction::SignIn, "", t + 1).expect("audit");
        s.audit(&u.to_string(), crate::model::AuditAction::Alert, "cảnh báo", t + 2).expect("audit");
    }

    fn u64_of(id: &str) -> i64 {
        id.bytes().map(i64::from).sum()
    }

    #[test]
    fn subject_data_covers_every_row_that_names_the_user() {
        let s = Store::in_memory().expect("store");
        let me = UserKey::new(Channel::Telegram, "7");
        let other = UserKey::new(Channel::Telegram, "8");
        populate(&s, &me, "111111", 1000);
        populate(&s, &other, "222222", 1000);
        // `me`, as an admin, takes a decision on the other's report.
        let theirs =
            s.reported_entities(None).expect("entities").into_iter().max_by_key(|e| e.id).expect("one");
        s.decide_report(
            theirs.id,
            crate::model::ReportStatus::Pending,
            "telegram:7",
            Some("xem lại"),
            |_| None,
        )
        .expect("decide");
        let data = s.subject_data(&me).expect("data");
        let rows = data.rows();
        // Every table of the schema with a column naming a user, counted for `me` directly.
        let c = s.conn();
        let tables: Vec<String> = c
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("tables")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("names");
        let mut seen = 0;
        for table in tables {
            let cols: Vec<String> = c
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .expect("cols")
                .query_map([], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("names");
            let has = |n: &str| cols.iter().any(|c| c == n);
            let sql = if has("user_id") {
                format!("SELECT COUNT(*) FROM {table} WHERE channel = 'telegram' AND user_id = '7'")
            } else if has("trainer_id") {
                format!(
                    "SELECT COUNT(*) FROM {table} WHERE trainer_channel = 'telegram' AND trainer_id = '7'"
                )
            } else if has("chat_id") && has("channel") {
                format!("SELECT COUNT(*) FROM {table} WHERE channel = 'telegram' AND chat_id = '7'")
            } else if has("created_by") {
                format!("SELECT COUNT(*) FROM {table} WHERE created_by = 'telegram:7'")
            } else if has("decided_by") {
                format!("SELECT COUNT(*) FROM {table} WHERE decided_by = 'telegram:7'")
            } else if has("who") {
                format!("SELECT COUNT(*) FROM {table} WHERE who = 'telegram:7'")
            } else if has("notify_chat") {
                format!(
                    "SELECT COUNT(*) FROM {table} WHERE notify_channel = 'telegram' AND notify_chat = '7'"
                )
            } else {
                continue;
            };
            let n: i64 = c.query_row(&sql, [], |r| r.get(0)).expect("count");
            assert!(n > 0, "the fixture puts a row about the user in {table}");
            assert_eq!(rows.get(table.as_str()), Some(&n), "{table}: /dulieucuatoi shows what is stored");
            seen += 1;
        }
        assert_eq!(seen, rows.len(), "every table the export lists names the user");
        assert_eq!(data.group_quizzes[0].display_name.as_deref(), Some("Lan"));
        assert_eq!(data.quiz_results[0].score, 8);
        drop(c);
        // Deleting leaves nothing about them, and the other user untouched.
        assert!(s.delete_user(&me).expect("delete"));
        assert!(s.subject_data(&me).expect("data").is_empty(), "{:?}", s.subject_data(&me));
        let theirs = s.subject_data(&other).expect("data").rows();
        assert!(theirs.iter().filter(|(t, _)| **t != "report_decisions").all(|(_, n)| *n > 0), "{theirs:?}");
        assert_eq!(s.subject_data(&other).expect("data").reports_made, 1, "their report, by its key");
    }
}
