//! The store: one SQLite file (WAL mode) under the data directory, migrated at start. The only
//! SQL in the crate lives here.
//!
//! Least data that works (Decree 13): per user only the channel, the platform id, consent time,
//! role, subscription and activity flags, quiz progress; for group-quiz participants the name
//! they show, for the leaderboard. Never the text of messages users ask about: only aggregate
//! counts (day, kind, key).

use std::{
    path::Path,
    sync::{Mutex, MutexGuard},
    time::{SystemTime, UNIX_EPOCH},
};

use rusqlite::{Connection, OptionalExtension, params};
use thiserror::Error;

mod campaign;
pub mod inbox;
mod quiz;
mod quiz_sessions;
mod report;
pub use campaign::{BroadcastSummary, NewOutcome, OutboxItem, SubscriptionCount, TipState};
pub use quiz::Unit;
pub use quiz_sessions::{GroupQuiz, NewGroupQuiz, PollRef, QuestionRate, Standing};
pub use report::{ReportFigures, Scores};

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
}

use crate::vocab::Role;
pub use crate::vocab::UserKey;

/// What is stored about a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Key.
    pub key: UserKey,
    /// When they accepted the privacy notice (Unix seconds).
    pub consent_at: Option<i64>,
    /// Their private chat is subscribed to weekly tips.
    pub subscribed: bool,
    /// False once the user blocked the bot or unfollowed.
    pub active: bool,
    /// The stored role (grants; configured admins are added by `bot::Roles`).
    pub role: Role,
    /// Zalo: follows the OA (promotion messages reach followers only).
    pub follower: bool,
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
];

const USER_SQL: &str = "SELECT consent_at,
        EXISTS (SELECT 1 FROM subscriptions s WHERE s.channel = users.channel AND s.chat_id = users.user_id),
        active, role, follower FROM users WHERE channel = ?1 AND user_id = ?2";

fn user_row(k: &UserKey, r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        key: k.clone(),
        consent_at: r.get(0)?,
        subscribed: r.get(1)?,
        active: r.get(2)?,
        role: r.get(3)?,
        follower: r.get(4)?,
    })
}

/// Unix seconds now.
#[must_use]
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The SQLite store. Shared behind an `Arc`; calls are short and serialised by a mutex.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    new_updates: std::sync::atomic::AtomicU64,
    path: Option<std::path::PathBuf>,
}

/// What [`Store::check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// Problems found (empty: healthy).
    pub problems: Vec<String>,
    /// Users stored (a sign of an empty or replaced file).
    pub users: i64,
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

/// Old update ids are forgotten once every this many new ones.
const PRUNE_EVERY: u64 = 512;

impl Store {
    /// Opens (creating if needed) `canhgiac.sqlite3` in `data_dir`, in WAL mode, migrated.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        create_private_dir(data_dir)
            .map_err(|source| StoreError::Dir { path: data_dir.display().to_string(), source })?;
        let file = data_dir.join("canhgiac.sqlite3");
        let existed = file.exists();
        let conn = Connection::open(&file)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        restrict(&file);
        let mut store = Self::migrate(conn)?;
        store.path = Some(file);
        let health = store.check()?;
        for p in &health.problems {
            tracing::warn!(problem = %p, "the database looks damaged; run `canhgiac doctor`");
        }
        if existed && health.users == 0 && store.kv_get("campaign.started_at")?.is_none() {
            tracing::warn!("the database has no users and no campaign yet: a new or emptied file");
        }
        Ok(store)
    }

    /// The database file (`None` in memory).
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// A quick integrity check: SQLite's own page check and the schema version.
    pub fn check(&self) -> Result<Health, StoreError> {
        let c = self.conn();
        let mut problems = Vec::new();
        let mut st = c.prepare("PRAGMA quick_check(20)")?;
        let rows: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        drop(st);
        if rows != ["ok"] {
            problems.extend(rows.into_iter().map(|r| format!("integrity: {r}")));
        }
        let version: usize = c.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version != MIGRATIONS.len() {
            problems.push(format!("schema version {version}, expected {}", MIGRATIONS.len()));
        }
        let users = c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0)).unwrap_or_else(|e| {
            problems.push(format!("users table: {e}"));
            0
        });
        Ok(Health { problems, users })
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
        Ok(Self { conn: Mutex::new(conn), new_updates: std::sync::atomic::AtomicU64::new(0), path: None })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
        // back), so a poisoned lock is still safe to use.
        crate::lock(&self.conn)
    }

    /// The user's row, created on first contact. Also notes the day of contact (Vietnamese
    /// date, for "staff reached" counts): the day only, never the time or what was said.
    pub fn touch_user(&self, k: &UserKey) -> Result<UserRow, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let t = now();
        tx.execute(
            "INSERT OR IGNORE INTO users (channel, user_id, created_at) VALUES (?1, ?2, ?3)",
            params![k.channel, k.id, t],
        )?;
        let day = crate::vntime::iso_date(t);
        tx.execute(
            "UPDATE users SET last_seen = ?3 WHERE channel = ?1 AND user_id = ?2 AND last_seen IS NOT ?3",
            params![k.channel, k.id, day],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO activity (channel, user_id, day) VALUES (?1, ?2, ?3)",
            params![k.channel, k.id, day],
        )?;
        let row = tx.query_row(USER_SQL, params![k.channel, k.id], |r| user_row(k, r))?;
        tx.commit()?;
        Ok(row)
    }

    /// The user's row, if any.
    pub fn user(&self, k: &UserKey) -> Result<Option<UserRow>, StoreError> {
        Ok(self.conn().query_row(USER_SQL, params![k.channel, k.id], |r| user_row(k, r)).optional()?)
    }

    /// Records consent to the privacy notice (first time only) of a user [`Store::touch_user`]
    /// has created.
    pub fn set_consent(&self, k: &UserKey) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE users SET consent_at = COALESCE(consent_at, ?3), active = 1 WHERE channel = ?1 AND user_id = ?2",
            params![k.channel, k.id, now()],
        )?;
        Ok(())
    }

    /// Subscribes or unsubscribes the user's private chat from weekly tips.
    pub fn set_subscribed(&self, k: &UserKey, on: bool) -> Result<(), StoreError> {
        self.touch_user(k)?;
        if on {
            self.subscribe(k.channel, &k.id, crate::vocab::ChatKind::Private)?;
        } else {
            self.unsubscribe(k.channel, &k.id)?;
        }
        Ok(())
    }

    /// The user blocked the bot or unfollowed: inactive, not a follower, unsubscribed.
    pub fn mark_gone(&self, k: &UserKey) -> Result<(), StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        tx.execute(
            "UPDATE users SET active = 0, follower = 0 WHERE channel = ?1 AND user_id = ?2",
            params![k.channel, k.id],
        )?;
        tx.execute(
            "DELETE FROM subscriptions WHERE channel = ?1 AND chat_id = ?2",
            params![k.channel, k.id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records that a Zalo user follows the OA (promotion messages go to followers only).
    pub fn set_follower(&self, k: &UserKey, on: bool) -> Result<(), StoreError> {
        self.touch_user(k)?;
        self.conn().execute(
            "UPDATE users SET follower = ?3 WHERE channel = ?1 AND user_id = ?2",
            params![k.channel, k.id, on],
        )?;
        Ok(())
    }

    /// Sets a user's stored role; configured admins need no row.
    pub fn set_role(&self, k: &UserKey, role: Role) -> Result<(), StoreError> {
        self.touch_user(k)?;
        self.conn().execute(
            "UPDATE users SET role = ?3 WHERE channel = ?1 AND user_id = ?2",
            params![k.channel, k.id, role],
        )?;
        Ok(())
    }

    /// Marks a user active or inactive (blocked the bot, unfollowed).
    pub fn set_active(&self, k: &UserKey, on: bool) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE users SET active = ?3 WHERE channel = ?1 AND user_id = ?2",
            params![k.channel, k.id, on],
        )?;
        Ok(())
    }

    /// Deletes everything stored about a user. Returns whether anything was stored.
    pub fn delete_user(&self, k: &UserKey) -> Result<bool, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let mut n = 0;
        for table in [
            "users",
            "quiz_sessions",
            "quiz_missed",
            "quiz_results",
            "activity",
            "participants",
            "group_answers",
        ] {
            n += tx.execute(
                &format!("DELETE FROM {table} WHERE channel = ?1 AND user_id = ?2"),
                params![k.channel, k.id],
            )?;
        }
        // Their private chat: subscription and tip history go; broadcast rows keep their
        // outcome (for the delivery counts) but lose the chat id, and anything still waiting
        // is skipped.
        for table in ["subscriptions", "tip_history"] {
            n += tx.execute(
                &format!("DELETE FROM {table} WHERE channel = ?1 AND chat_id = ?2"),
                params![k.channel, k.id],
            )?;
        }
        // Sessions they ran as a trainer stay (aggregates for the report) without their id.
        tx.execute(
            "UPDATE group_quizzes SET trainer_id = 'deleted:' || id WHERE trainer_channel = ?1 AND trainer_id = ?2",
            params![k.channel, k.id],
        )?;
        tx.execute(
            "UPDATE outbox SET chat_id = 'deleted:' || id,
                 status = CASE WHEN status IN ('pending', 'sending') THEN 'skipped' ELSE status END,
                 reason = CASE WHEN status IN ('pending', 'sending') THEN 'deleted' ELSE reason END
             WHERE channel = ?1 AND chat_id = ?2",
            params![k.channel, k.id],
        )?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// True the first time an update id is seen on a channel (duplicate deliveries are dropped).
    /// Ids older than a week are forgotten (checked every [`PRUNE_EVERY`] new ids).
    pub fn first_seen(&self, channel: crate::vocab::Channel, update_id: &str) -> Result<bool, StoreError> {
        let c = self.conn();
        let n = c.execute(
            "INSERT OR IGNORE INTO processed_updates (channel, update_id, seen_at) VALUES (?1, ?2, ?3)",
            params![channel, update_id, now()],
        )?;
        let new = n > 0;
        if new
            && self.new_updates.fetch_add(1, std::sync::atomic::Ordering::Relaxed).is_multiple_of(PRUNE_EVERY)
        {
            c.execute("DELETE FROM processed_updates WHERE seen_at < ?1", params![now() - 7 * 86_400])?;
        }
        Ok(n > 0)
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

    /// Adds one to an aggregate counter for today (Vietnamese date), e.g. kind `verdict`, key
    /// `scam`; kind `form`, key a form id.
    pub fn count(&self, kind: &str, key: &str) -> Result<(), StoreError> {
        Unit { c: &self.conn() }.count(kind, key)
    }

    /// Totals of a kind of counter over the days `from..=to` (YYYY-MM-DD; `None`: no bound),
    /// largest first.
    pub fn totals_between(
        &self,
        kind: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let c = self.conn();
        let mut st = c.prepare_cached(
            "SELECT key, SUM(count) FROM stats WHERE kind = ?1
               AND (?2 IS NULL OR day >= ?2) AND (?3 IS NULL OR day <= ?3)
             GROUP BY key ORDER BY 2 DESC, 1",
        )?;
        let rows = st.query_map(params![kind, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Totals of a kind of counter over all days, largest first.
    pub fn totals(&self, kind: &str) -> Result<Vec<(String, i64)>, StoreError> {
        self.totals_between(kind, None, None)
    }

    /// A stored setting.
    pub fn kv_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM kv WHERE key = ?1", params![key], |r| r.get(0))
            .optional()?)
    }

    /// Stores several settings in one transaction (e.g. a rotated token pair: the new refresh
    /// token must never be lost once the old one is spent).
    pub fn kv_set_all(&self, pairs: &[(&str, &str)]) -> Result<(), StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        for (k, v) in pairs {
            tx.execute(
                "INSERT INTO kv (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The stored setting, or `value` stored now if there was none (one step: two callers
    /// cannot store different values).
    pub fn kv_get_or_insert(&self, key: &str, value: &str) -> Result<String, StoreError> {
        let c = self.conn();
        c.execute("INSERT OR IGNORE INTO kv (key, value) VALUES (?1, ?2)", params![key, value])?;
        Ok(c.query_row("SELECT value FROM kv WHERE key = ?1", params![key], |r| r.get(0))?)
    }

    /// Stores a setting.
    pub fn kv_set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO kv (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Channel;

    #[test]
    fn users_consent_subscription_and_deletion() {
        let s = Store::in_memory().expect("store");
        let k = UserKey::new(Channel::Telegram, "42");
        let u = s.touch_user(&k).expect("touch");
        assert_eq!(u.consent_at, None);
        assert!(u.active && !u.subscribed);
        s.set_consent(&k).expect("consent");
        s.set_subscribed(&k, true).expect("sub");
        assert_eq!(s.subscribers(Channel::Telegram).expect("subs"), ["42"]);
        assert!(s.user(&k).expect("user").expect("row").subscribed);
        s.mark_gone(&k).expect("blocked");
        assert!(s.subscribers(Channel::Telegram).expect("subs").is_empty(), "blocking unsubscribes");
        assert!(!s.user(&k).expect("user").expect("row").active);
        s.save_quiz(&k, Some(&QuizState { questions: vec!["q1".into()], index: 0, score: 0 })).expect("quiz");
        s.set_missed(&k, "q1", true).expect("missed");
        assert!(s.delete_user(&k).expect("delete"));
        assert_eq!(s.user(&k).expect("user"), None);
        assert_eq!(s.quiz(&k).expect("quiz"), None);
        assert!(s.missed(&k).expect("missed").is_empty());
        assert!(!s.delete_user(&k).expect("delete again"));
    }

    #[test]
    fn duplicate_updates_are_seen_once() {
        let s = Store::in_memory().expect("store");
        assert!(s.first_seen(Channel::Telegram, "100").expect("first"));
        assert!(!s.first_seen(Channel::Telegram, "100").expect("again"));
        assert!(s.first_seen(Channel::Zalo, "100").expect("other channel"));
    }

    #[test]
    fn quiz_state_and_missed_questions_persist_across_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let k = UserKey::new(Channel::Telegram, "7");
        {
            let s = Store::open(dir.path()).expect("open");
            s.save_quiz(&k, Some(&QuizState { questions: vec!["a".into(), "b".into()], index: 1, score: 1 }))
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
