//! The store: one SQLite file (WAL mode, 0600 in a 0700 directory) under the data directory,
//! migrated at start and checked for damage. The only SQL in the crate lives here, one
//! repository per aggregate with its typed rows beside it: `users`, `quiz` (personal quizzes,
//! and the [`Unit`] of work that makes several steps one transaction), `group_quiz`, `outbox`
//! (subscriptions, broadcasts and their rows), `stats` (day counters), `kv` (settings),
//! `inbox` (updates accepted and not yet handled) and `report` (figures for a period).
//! Writes go through one connection; statistics and reports read through a second,
//! read-only one, so they never wait behind a long write.
//!
//! Least data that works: per user only the channel, the platform id, consent time, role,
//! subscription and activity flags, quiz progress; for group-quiz participants the name they
//! show, for the leaderboard. Never the text of messages users ask about (an update's payload
//! sits in the inbox only until it is handled, then is erased): only aggregate counts.

use std::{
    path::Path,
    sync::{Mutex, MutexGuard},
    time::{SystemTime, UNIX_EPOCH},
};

use rusqlite::Connection;
use thiserror::Error;

mod group_quiz;
pub mod inbox;
mod kv;
mod outbox;
mod quiz;
mod report;
mod reports;
mod retention;
mod stats;
mod subject;
mod users;
mod web;
pub use group_quiz::{GroupQuiz, NewGroupQuiz, PollRef, QuestionRate, Standing};
pub use outbox::{BroadcastSummary, FANOUT_CHUNK, NewOutcome, OutboxItem, SubscriptionCount, TipState};
pub use quiz::Unit;
pub use report::{ReachBasis, ReportFigures, Scores};
pub use reports::{Decided, EntitySummary, NewReport, Recorded};
pub use retention::Purged;
pub use subject::{Participation, QuizResult, Record, SubjectData};
pub use web::{AuditEntry, WebSession};

/// Store failures.
#[derive(Debug, Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The data directory could not be created.
    #[error("data directory {path}: {source}")]
    Dir {
        /// The directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Stored JSON could not be read.
    #[error("stored state: {0}")]
    Json(#[from] serde_json::Error),
    /// The operating system gave no random bytes for a secret.
    #[error("no secure random source: {0}")]
    Random(String),
}

use crate::model::Role;
pub use crate::model::UserKey;

/// What is stored about a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Key.
    pub key: UserKey,
    /// When they accepted the privacy notice (Unix seconds); `None` before consent and after
    /// withdrawal.
    pub consent_at: Option<i64>,
    /// The version of the notice they accepted (`None`: an implied consent from before
    /// consent was asked for, or none).
    pub consent_version: Option<String>,
    /// Their last day of contact (Vietnamese date).
    pub last_seen: Option<String>,
    /// Their private chat is subscribed to weekly tips.
    pub subscribed: bool,
    /// False once the user blocked the bot or unfollowed.
    pub active: bool,
    /// The stored role (grants; configured admins are added by `bot::Roles`).
    pub role: Role,
    /// Zalo: follows the OA (promotion messages reach followers only).
    pub follower: bool,
}

impl UserRow {
    /// A user of whom nothing is stored (before consent): an active user with no role.
    #[must_use]
    pub fn unknown(key: UserKey) -> Self {
        Self {
            key,
            consent_at: None,
            consent_version: None,
            last_seen: None,
            subscribed: false,
            active: true,
            role: Role::User,
            follower: false,
        }
    }
}

/// A personal quiz in progress (serialised as JSON in the store).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QuizState {
    /// Question ids, in order.
    pub questions: Vec<String>,
    /// Index of the current question.
    pub index: usize,
    /// Correct answers so far.
    pub score: usize,
    /// Indices of the questions answered wrong in this quiz (reviewed at the end).
    #[serde(default)]
    pub missed: Vec<usize>,
}

/// Schema migrations, applied in order; `PRAGMA user_version` counts those applied. Append only.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE users (
        channel     TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        consent_at  INTEGER,
        subscribed  INTEGER NOT NULL DEFAULT 0,
        active      INTEGER NOT NULL DEFAULT 1,
        role        TEXT NOT NULL DEFAULT 'user',
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (channel, user_id)
    );
    CREATE TABLE processed_updates (
        channel     TEXT NOT NULL,
        update_id   TEXT NOT NULL,
        seen_at     INTEGER NOT NULL,
        PRIMARY KEY (channel, update_id)
    );
    CREATE TABLE quiz_sessions (
        channel     TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        state       TEXT NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (channel, user_id)
    );
    CREATE TABLE quiz_missed (
        channel     TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        question_id TEXT NOT NULL,
        PRIMARY KEY (channel, user_id, question_id)
    );
    CREATE TABLE quiz_results (
        channel     TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        score       INTEGER NOT NULL,
        total       INTEGER NOT NULL,
        finished_at INTEGER NOT NULL
    );
    CREATE TABLE stats (
        day         TEXT NOT NULL,
        kind        TEXT NOT NULL,
        key         TEXT NOT NULL,
        count       INTEGER NOT NULL,
        PRIMARY KEY (day, kind, key)
    );
    CREATE TABLE kv (
        key         TEXT PRIMARY KEY,
        value       TEXT NOT NULL
    );
",
    "
    -- Campaigns: subscriptions per chat (a private chat or a staff group), tip history,
    -- broadcasts and the durable outbox (one row per recipient).
    ALTER TABLE users ADD COLUMN last_seen TEXT;
    ALTER TABLE users ADD COLUMN follower INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE activity (
        channel     TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        day         TEXT NOT NULL,
        PRIMARY KEY (channel, user_id, day)
    );
    CREATE TABLE subscriptions (
        channel       TEXT NOT NULL,
        chat_id       TEXT NOT NULL,
        chat_kind     TEXT NOT NULL DEFAULT 'private',
        subscribed_at INTEGER NOT NULL,
        last_tip      TEXT,
        tip_cycle     INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (channel, chat_id)
    );
    INSERT INTO subscriptions (channel, chat_id, chat_kind, subscribed_at)
        SELECT channel, user_id, 'private', created_at FROM users WHERE subscribed = 1 AND active = 1;
    UPDATE users SET follower = 1 WHERE channel = 'zalo' AND active = 1;
    ALTER TABLE users DROP COLUMN subscribed;
    CREATE TABLE tip_history (
        channel      TEXT NOT NULL,
        chat_id      TEXT NOT NULL,
        tip_id       TEXT NOT NULL,
        cycle        INTEGER NOT NULL,
        broadcast_id INTEGER,
        assigned_at  INTEGER NOT NULL,
        PRIMARY KEY (channel, chat_id, tip_id, cycle)
    );
    CREATE TABLE broadcasts (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,
        slot        INTEGER UNIQUE,
        body        TEXT,
        created_by  TEXT NOT NULL,
        status      TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        queued_at   INTEGER,
        finished_at INTEGER
    );
    CREATE TABLE outbox (
        id           INTEGER PRIMARY KEY,
        broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id),
        channel      TEXT NOT NULL,
        chat_id      TEXT NOT NULL,
        chat_kind    TEXT NOT NULL,
        tip_id       TEXT,
        status       TEXT NOT NULL DEFAULT 'pending',
        attempts     INTEGER NOT NULL DEFAULT 0,
        next_try     INTEGER NOT NULL,
        reason       TEXT,
        updated_at   INTEGER NOT NULL,
        UNIQUE (broadcast_id, channel, chat_id)
    );
    CREATE INDEX outbox_due ON outbox (status, channel, broadcast_id, id);
    CREATE INDEX outbox_chat ON outbox (channel, chat_id, status, updated_at);
",
    "
    -- Group quizzes run by trainers: a session per quiz (native polls in a group, or a join
    -- code answered one by one in private chats), the polls sent, the answers, and the
    -- participants (the display name only for the leaderboard; deleted with the user).
    CREATE TABLE group_quizzes (
        id              INTEGER PRIMARY KEY,
        mode            TEXT NOT NULL,
        channel         TEXT NOT NULL,
        chat_id         TEXT,
        code            TEXT,
        trainer_channel TEXT NOT NULL,
        trainer_id      TEXT NOT NULL,
        topic           TEXT,
        difficulty      TEXT,
        questions       TEXT NOT NULL,
        open_period     INTEGER NOT NULL,
        current         INTEGER NOT NULL DEFAULT 0,
        next_at         INTEGER,
        status          TEXT NOT NULL DEFAULT 'running',
        started_at      INTEGER NOT NULL,
        finished_at     INTEGER
    );
    CREATE UNIQUE INDEX group_quizzes_code ON group_quizzes (code) WHERE status = 'running';
    CREATE INDEX group_quizzes_due ON group_quizzes (status, next_at);
    CREATE INDEX group_quizzes_trainer ON group_quizzes (trainer_channel, trainer_id, id);
    CREATE TABLE group_polls (
        poll_id     TEXT PRIMARY KEY,
        session_id  INTEGER NOT NULL REFERENCES group_quizzes (id),
        question    INTEGER NOT NULL,
        correct     INTEGER NOT NULL,
        sent_at     INTEGER NOT NULL
    );
    CREATE TABLE participants (
        session_id   INTEGER NOT NULL REFERENCES group_quizzes (id),
        channel      TEXT NOT NULL,
        user_id      TEXT NOT NULL,
        display_name TEXT,
        next_question INTEGER NOT NULL DEFAULT 0,
        joined_at    INTEGER NOT NULL,
        finished_at  INTEGER,
        PRIMARY KEY (session_id, channel, user_id)
    );
    CREATE TABLE group_answers (
        session_id  INTEGER NOT NULL REFERENCES group_quizzes (id),
        channel     TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        question    INTEGER NOT NULL,
        option      INTEGER NOT NULL,
        correct     INTEGER NOT NULL,
        answered_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, channel, user_id, question)
    );
",
    "
    -- The durable inbox: every update is written here before it is acknowledged, handled
    -- from here, and its payload erased once handled; the key stays a week to drop duplicate
    -- deliveries.
    CREATE TABLE inbox (
        channel     TEXT NOT NULL,
        update_key  TEXT NOT NULL,
        chat_key    TEXT NOT NULL,
        payload     BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        done_at     INTEGER,
        PRIMARY KEY (channel, update_key)
    );
    CREATE INDEX inbox_pending ON inbox (received_at) WHERE done_at IS NULL;
    CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;
",
    "
    -- Consent as an explicit act, to a versioned notice (Law 91/2025/QH15, Decree 356/2025):
    -- consents given before (implied by the first message) have no version and are asked again.
    ALTER TABLE users ADD COLUMN consent_version TEXT;
    -- The report reads anonymous day counters only, so that its figures for a past period do
    -- not move when a user deletes their data or a retention period ends. Backfill them from
    -- the per-user rows, then drop the per-user activity days (the last day of contact stays).
    INSERT INTO stats (day, kind, key, count)
        SELECT day, 'reach_day', channel, COUNT(*) FROM activity WHERE true GROUP BY day, channel
        ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count;
    INSERT INTO stats (day, kind, key, count)
        SELECT d, 'reach_month', channel, COUNT(*) FROM
            (SELECT MIN(day) AS d, channel FROM activity GROUP BY channel, user_id, substr(day, 1, 7))
        WHERE true GROUP BY d, channel
        ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count;
    INSERT INTO stats (day, kind, key, count)
        SELECT d, 'reach_quarter', channel, COUNT(*) FROM
            (SELECT MIN(day) AS d, channel FROM activity
             GROUP BY channel, user_id, substr(day, 1, 4), (CAST(substr(day, 6, 2) AS INTEGER) + 2) / 3)
        WHERE true GROUP BY d, channel
        ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count;
    INSERT INTO stats (day, kind, key, count)
        SELECT d, 'reach_half', channel, COUNT(*) FROM
            (SELECT MIN(day) AS d, channel FROM activity
             GROUP BY channel, user_id, substr(day, 1, 4), (CAST(substr(day, 6, 2) AS INTEGER) + 5) / 6)
        WHERE true GROUP BY d, channel
        ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count;
    INSERT INTO stats (day, kind, key, count)
        SELECT d, 'reach_year', channel, COUNT(*) FROM
            (SELECT MIN(day) AS d, channel FROM activity GROUP BY channel, user_id, substr(day, 1, 4))
        WHERE true GROUP BY d, channel
        ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count;
    INSERT INTO stats (day, kind, key, count)
        SELECT date(created_at, 'unixepoch', '+7 hours'), 'users_new', channel, COUNT(*) FROM users
        WHERE true GROUP BY 1, channel
        ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count;
    INSERT INTO stats (day, kind, key, count)
        SELECT date(subscribed_at, 'unixepoch', '+7 hours'), 'subscribed', channel, COUNT(*)
        FROM subscriptions WHERE true GROUP BY 1, channel
        ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count;
    INSERT INTO stats (day, kind, key, count)
        SELECT date(o.updated_at, 'unixepoch', '+7 hours'), 'delivered_' || b.kind, o.channel, COUNT(*)
        FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id WHERE o.status = 'sent'
        GROUP BY 1, 2, o.channel
        ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count;
    INSERT INTO stats (day, kind, key, count)
        SELECT date(finished_at, 'unixepoch', '+7 hours'), 'quiz_score', score || '/' || total, COUNT(*)
        FROM quiz_results WHERE true GROUP BY 1, 3
        ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count;
    INSERT INTO stats (day, kind, key, count)
        SELECT day, 'group_score', c || '/' || n, COUNT(*) FROM
            (SELECT date(g.started_at, 'unixepoch', '+7 hours') AS day, SUM(a.correct) AS c,
                    CASE g.mode WHEN 'poll' THEN MIN(g.current + 1, json_array_length(g.questions))
                         ELSE json_array_length(g.questions) END AS n
             FROM group_answers a JOIN group_quizzes g ON g.id = a.session_id
             WHERE g.status != 'running' GROUP BY a.session_id, a.channel, a.user_id)
        WHERE true GROUP BY day, 3
        ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count;
    DROP TABLE activity;
",
    "
    -- Scam reports: the entities staff reported (numbers, accounts, hosts), each report with a
    -- pseudonymous reporter key (never a name, never the message), and every admin decision.
    -- Whom to tell the outcome is kept only until it is sent.
    CREATE TABLE reported_entities (
        id           INTEGER PRIMARY KEY,
        kind         TEXT NOT NULL,
        value        TEXT NOT NULL,
        bank         TEXT,
        status       TEXT NOT NULL DEFAULT 'pending',
        first_day    TEXT NOT NULL,
        last_day     TEXT NOT NULL,
        decided_day  TEXT,
        reports      INTEGER NOT NULL DEFAULT 0,
        UNIQUE (kind, value)
    );
    CREATE INDEX reported_entities_status ON reported_entities (status, last_day);
    CREATE TABLE scam_reports (
        id             INTEGER PRIMARY KEY,
        entity_id      INTEGER NOT NULL REFERENCES reported_entities (id),
        reporter       TEXT,
        day            TEXT NOT NULL,
        form           TEXT,
        verdict        TEXT,
        notify_channel TEXT,
        notify_chat    TEXT
    );
    CREATE UNIQUE INDEX scam_reports_once ON scam_reports (entity_id, reporter) WHERE reporter IS NOT NULL;
    CREATE INDEX scam_reports_reporter ON scam_reports (reporter, day);
    CREATE TABLE report_decisions (
        id          INTEGER PRIMARY KEY,
        entity_id   INTEGER NOT NULL REFERENCES reported_entities (id),
        status      TEXT NOT NULL,
        decided_by  TEXT NOT NULL,
        decided_at  INTEGER NOT NULL,
        why         TEXT
    );
",
    "
    -- The web console: one-time sign-in links and sessions (hashes of their secrets), and the
    -- audit log of admin actions.
    CREATE TABLE web_links (
        token_hash  TEXT PRIMARY KEY,
        channel     TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        used_at     INTEGER
    );
    CREATE TABLE web_sessions (
        id          INTEGER PRIMARY KEY,
        token_hash  TEXT NOT NULL UNIQUE,
        channel     TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        last_seen   INTEGER NOT NULL,
        revoked_at  INTEGER,
        agent       TEXT
    );
    CREATE INDEX web_sessions_user ON web_sessions (channel, user_id);
    CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        who         TEXT NOT NULL,
        action      TEXT NOT NULL,
        detail      TEXT NOT NULL
    );
",
];

/// Unix seconds now.
#[must_use]
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The SQLite store. Shared behind an `Arc`; calls are short and serialised by a mutex.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    /// A second, read-only connection (file stores): statistics, reports and summaries read
    /// here, so they never wait behind a write such as a broadcast fan-out.
    read: Option<Mutex<Connection>>,
    path: Option<std::path::PathBuf>,
}

/// What [`Store::check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// Problems found, in Vietnamese for the operator (empty: healthy).
    pub problems: Vec<String>,
    /// Users stored (a sign of an empty or replaced file).
    pub users: i64,
    /// `serve` has run on this database (the campaign's start is recorded on its first tick).
    pub served: bool,
}

/// What [`Store::check`] reports, for the store's connection or a backup's.
fn health(c: &Connection) -> Result<Health, StoreError> {
    let mut problems = Vec::new();
    let rows: Vec<String> =
        c.prepare("PRAGMA quick_check(20)")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if rows != ["ok"] {
        problems.extend(rows.into_iter().map(|r| format!("SQLite báo lỗi trang: {r}")));
    }
    let version: usize = c.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version != MIGRATIONS.len() {
        problems.push(format!("phiên bản cấu trúc {version}, chương trình cần {}", MIGRATIONS.len()));
    }
    let users = c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0)).unwrap_or_else(|e| {
        problems.push(format!("không đọc được bảng người dùng: {e}"));
        0
    });
    let served = c.query_row("SELECT 1 FROM kv WHERE key = 'campaign.started_at'", [], |_| Ok(())).is_ok();
    Ok(Health { problems, users, served })
}

/// Creates the data directory readable by its owner only (0700 on Unix).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Makes the database file (and its WAL and shared-memory files) readable by its owner only:
/// it holds the Zalo tokens.
fn restrict(file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let f = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
            if f.exists()
                && let Err(e) = std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600))
            {
                tracing::warn!(error = %e, file = %f.display(), "could not make the database private");
            }
        }
    }
    #[cfg(not(unix))]
    let _ = file;
}

impl Store {
    /// Opens (creating if needed) `canhgiac.sqlite3` in `data_dir`, in WAL mode, migrated.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        create_private_dir(data_dir)
            .map_err(|source| StoreError::Dir { path: data_dir.display().to_string(), source })?;
        let file = data_dir.join("canhgiac.sqlite3");
        let conn = Connection::open(&file)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        restrict(&file);
        let mut store = Self::migrate(conn)?;
        let read = Connection::open_with_flags(
            &file,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        read.busy_timeout(std::time::Duration::from_secs(5))?;
        store.read = Some(Mutex::new(read));
        store.path = Some(file);
        Ok(store)
    }

    /// The database file (`None` in memory).
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// A quick integrity check (SQLite's own page check, the schema version, users, whether
    /// `serve` ran on it). It reads the whole file, so it runs where it is asked for (`serve`
    /// at start, `doctor`), not on every open.
    pub fn check(&self) -> Result<Health, StoreError> {
        health(&self.conn())
    }

    /// [`Store::check`], with a warning in the log for each problem (`serve` at start).
    pub fn warn_if_damaged(&self) -> Result<Health, StoreError> {
        let h = self.check()?;
        for p in &h.problems {
            tracing::warn!(problem = %p, "the database looks damaged; run `canhgiac doctor`");
        }
        if h.users == 0 && !h.served {
            tracing::warn!("the database has no users and serve never ran on it: a new or emptied file");
        }
        Ok(h)
    }

    /// Writes a consistent copy of the database to `out` (which must not exist yet) while
    /// other processes keep writing: SQLite's `VACUUM INTO`, a snapshot of one read
    /// transaction, never a file copy of a database in WAL mode. The copy is checked.
    pub fn backup_to(&self, out: &Path) -> Result<Health, StoreError> {
        self.reader().execute("VACUUM INTO ?1", [out.display().to_string()])?;
        restrict(out);
        health(&Connection::open_with_flags(out, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?)
    }

    /// Proves the database takes a write now (readiness).
    pub fn probe_write(&self) -> Result<(), StoreError> {
        self.kv_set("ready_probe", &now().to_string())
    }

    /// An in-memory store (tests, `chat` without a data directory).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::migrate(Connection::open_in_memory()?)
    }

    fn migrate(mut conn: Connection) -> Result<Self, StoreError> {
        let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
            tx.commit()?;
        }
        Ok(Self { conn: Mutex::new(conn), read: None, path: None })
    }

    /// The read-only connection (the main one for an in-memory store). Only for reads that
    /// need not see a transaction in progress on the main connection.
    fn reader(&self) -> MutexGuard<'_, Connection> {
        crate::lock(self.read.as_ref().unwrap_or(&self.conn))
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
        // back), so a poisoned lock is still safe to use.
        crate::lock(&self.conn)
    }

    /// Runs `f` as one transaction: committed when it returns `Ok`, rolled back otherwise.
    /// Multi-step changes (a quiz answer, a subscription, a grant) go through here so that a
    /// double tap or a crash never leaves half of them.
    pub fn unit_of_work<T>(
        &self,
        f: impl FnOnce(&Unit<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&Unit { c: &tx })?;
        tx.commit()?;
        Ok(out)
    }

    /// The quiz in progress.
    pub fn quiz(&self, k: &UserKey) -> Result<Option<QuizState>, StoreError> {
        Unit { c: &self.conn() }.quiz(k)
    }

    /// Saves (or with `None`, ends) the quiz in progress.
    pub fn save_quiz(&self, k: &UserKey, state: Option<&QuizState>) -> Result<(), StoreError> {
        Unit { c: &self.conn() }.save_quiz(k, state)
    }

    /// Remembers a missed question (or forgets it once answered right).
    pub fn set_missed(&self, k: &UserKey, question: &str, missed: bool) -> Result<(), StoreError> {
        Unit { c: &self.conn() }.set_missed(k, question, missed)
    }

    /// Questions the user got wrong and has not yet answered right.
    pub fn missed(&self, k: &UserKey) -> Result<Vec<String>, StoreError> {
        Unit { c: &self.conn() }.missed(k)
    }

    /// Records a finished quiz.
    pub fn record_quiz(&self, k: &UserKey, score: usize, total: usize) -> Result<(), StoreError> {
        Unit { c: &self.conn() }.record_quiz(k, score, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    #[test]
    fn users_consent_subscription_and_deletion() {
        let s = Store::in_memory().expect("store");
        let k = UserKey::new(Channel::Telegram, "42");
        let u = s.touch_user(&k).expect("touch");
        assert_eq!(u.consent_at, None);
        assert!(u.active && !u.subscribed);
        s.give_consent(&k, "1").expect("consent");
        s.set_subscribed(&k, true).expect("sub");
        assert_eq!(s.subscribers(Channel::Telegram).expect("subs"), ["42"]);
        assert!(s.user(&k).expect("user").expect("row").subscribed);
        s.mark_gone(&k).expect("blocked");
        assert!(s.subscribers(Channel::Telegram).expect("subs").is_empty(), "blocking unsubscribes");
        assert!(!s.user(&k).expect("user").expect("row").active);
        s.save_quiz(
            &k,
            Some(&QuizState { questions: vec!["q1".into()], index: 0, score: 0, missed: Vec::new() }),
        )
        .expect("quiz");
        s.set_missed(&k, "q1", true).expect("missed");
        assert!(s.delete_user(&k).expect("delete"));
        assert_eq!(s.user(&k).expect("user"), None);
        assert_eq!(s.quiz(&k).expect("quiz"), None);
        assert!(s.missed(&k).expect("missed").is_empty());
        assert!(!s.delete_user(&k).expect("delete again"));
    }

    #[test]
    fn upgrading_backfills_the_report_counters_and_asks_for_consent_again() {
        let c = Connection::open_in_memory().expect("db");
        for sql in &MIGRATIONS[..4] {
            c.execute_batch(sql).expect("old schema");
        }
        c.pragma_update(None, "user_version", 4).expect("version");
        // 1 January 2026 and 2 February 2026, 10:00 in Vietnam.
        let (jan, feb) = (1_767_236_400_i64, 1_770_001_200_i64);
        c.execute_batch(&format!(
            "INSERT INTO users (channel, user_id, consent_at, created_at, last_seen) VALUES
                 ('telegram', '1', {jan}, {jan}, '2026-02-02'), ('zalo', '2', {jan}, {jan}, '2026-01-01');
             INSERT INTO activity VALUES ('telegram', '1', '2026-01-01'), ('telegram', '1', '2026-01-05'),
                 ('telegram', '1', '2026-02-02'), ('zalo', '2', '2026-01-01');
             INSERT INTO quiz_results VALUES ('telegram', '1', 8, 10, {feb});"
        ))
        .expect("old rows");
        let s = Store::migrate(c).expect("upgrade");
        let got =
            |kind: &str, from: &str, to: &str| s.totals_between(kind, Some(from), Some(to)).expect("totals");
        let both = vec![("telegram".to_owned(), 1), ("zalo".to_owned(), 1)];
        assert_eq!(got("reach_month", "2026-01-01", "2026-01-31"), both);
        assert_eq!(got("reach_month", "2026-02-01", "2026-02-28"), [("telegram".to_owned(), 1)]);
        assert_eq!(got("reach_quarter", "2026-01-01", "2026-03-31"), both, "once a quarter");
        assert_eq!(
            got("reach_day", "2026-01-01", "2026-12-31"),
            [("telegram".to_owned(), 3), ("zalo".to_owned(), 1)]
        );
        assert_eq!(got("users_new", "2026-01-01", "2026-01-01"), both);
        assert_eq!(got("quiz_score", "2026-02-02", "2026-02-02"), [("8/10".to_owned(), 1)]);
        let u = s.user(&UserKey::new(Channel::Telegram, "1")).expect("user").expect("row");
        assert!(u.consent_at.is_some() && u.consent_version.is_none(), "an implied consent has no version");
        let dropped =
            s.conn().query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'activity'", [], |r| {
                r.get::<_, i64>(0)
            });
        assert_eq!(dropped.expect("query"), 0, "per-user days are gone");
    }

    #[test]
    fn the_database_is_private_and_damage_is_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let s = Store::open(&data).expect("open");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&data), 0o700, "data directory");
            assert_eq!(mode(s.path().expect("file")), 0o600, "database file (it holds tokens)");
        }
        assert!(s.check().expect("check").problems.is_empty());
        drop(s);
        // Overwrite pages in the middle of the file, as a disk error would.
        let file = data.join("canhgiac.sqlite3");
        let mut bytes = std::fs::read(&file).expect("read");
        let (mid, len) = (bytes.len() / 2, bytes.len());
        for b in &mut bytes[mid..mid + 4096.min(len - mid)] {
            *b = 0x5A;
        }
        std::fs::write(&file, bytes).expect("write");
        let _ = std::fs::remove_file(data.join("canhgiac.sqlite3-wal"));
        let problems = match Store::open(&data) {
            Ok(s) => s.check().map(|h| h.problems).unwrap_or_else(|e| vec![e.to_string()]),
            Err(e) => vec![e.to_string()],
        };
        assert!(!problems.is_empty(), "damage is reported");
    }

    #[test]
    fn quiz_state_and_missed_questions_persist_across_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let k = UserKey::new(Channel::Telegram, "7");
        {
            let s = Store::open(dir.path()).expect("open");
            s.save_quiz(
                &k,
                Some(&QuizState {
                    questions: vec!["a".into(), "b".into()],
                    index: 1,
                    score: 1,
                    missed: vec![0],
                }),
            )
            .expect("save");
            s.set_missed(&k, "a", true).expect("missed");
            s.count("verdict", "scam").expect("count");
            s.count("verdict", "scam").expect("count");
        }
        let s = Store::open(dir.path()).expect("reopen");
        assert_eq!(s.quiz(&k).expect("quiz").map(|q| q.index), Some(1));
        assert_eq!(s.missed(&k).expect("missed"), ["a"]);
        assert_eq!(s.totals("verdict").expect("totals"), [("scam".to_owned(), 2)]);
    }
}
