//! The users repository: who has used the bot (channel, platform id, consent time and notice
//! version, role, follower and activity flags, the last day of contact), consent given and
//! withdrawn, and deleting all of it on request. Reach is counted here as anonymous day
//! counters (`reach_day`, and `reach_month`/`_quarter`/`_half`/`_year` on a user's first
//! contact in each period), so no per-user history of days is kept.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, UserKey, UserRow, now};
use crate::model::Role;

/// A user's row, read by [`user_row`].
const USER_SQL: &str = "SELECT consent_at,
        EXISTS (SELECT 1 FROM subscriptions s WHERE s.channel = users.channel AND s.chat_id = users.user_id),
        active, role, follower, last_seen, consent_version FROM users WHERE channel = ?1 AND user_id = ?2";

fn user_row(k: &UserKey, r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        key: k.clone(),
        consent_at: r.get(0)?,
        subscribed: r.get(1)?,
        active: r.get(2)?,
        role: r.get(3)?,
        follower: r.get(4)?,
        last_seen: r.get(5)?,
        consent_version: r.get(6)?,
    })
}

/// A function from a `YYYY-MM-DD` day to the key of the period it falls in.
type PeriodOf = fn(&str) -> String;

/// The periods a user is counted once in (`reach_<name>`).
const REACH_PERIODS: [(&str, PeriodOf); 4] = [
    ("reach_month", |d| d.get(..7).unwrap_or(d).to_owned()),
    ("reach_quarter", |d| format!("{}Q{}", d.get(..4).unwrap_or(d), month(d).div_ceil(3))),
    ("reach_half", |d| format!("{}H{}", d.get(..4).unwrap_or(d), month(d).div_ceil(6))),
    ("reach_year", |d| d.get(..4).unwrap_or(d).to_owned()),
];

fn month(day: &str) -> u32 {
    day.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1)
}

impl Store {
    /// Notes a day of contact of a user who has consented (the engine asks first), creating
    /// the row if needed: the day only, never the time or what was said. The day is counted
    /// in the anonymous reach counters, once per user and day (and once per month, quarter,
    /// half-year and year).
    pub fn touch_user(&self, k: &UserKey) -> Result<UserRow, StoreError> {
        let mut c = self.conn();
        let t = now();
        let day = crate::vntime::iso_date(t);
        // Seen already today: one read, no write (most messages).
        let seen: Option<UserRow> =
            c.prepare_cached(USER_SQL)?.query_row(params![k.channel, k.id], |r| user_row(k, r)).optional()?;
        if let Some(row) = &seen
            && row.last_seen.as_deref() == Some(day.as_str())
        {
            return Ok(row.clone());
        }
        let tx = c.transaction()?;
        let unit = super::Unit { c: &tx };
        if seen.is_none() {
            tx.execute(
                "INSERT INTO users (channel, user_id, created_at) VALUES (?1, ?2, ?3)",
                params![k.channel, k.id, t],
            )?;
            unit.count_on(&day, "users_new", k.channel.as_str(), 1)?;
        }
        tx.execute(
            "UPDATE users SET last_seen = ?3 WHERE channel = ?1 AND user_id = ?2",
            params![k.channel, k.id, day],
        )?;
        let prev = seen.and_then(|r| r.last_seen);
        unit.count_on(&day, "reach_day", k.channel.as_str(), 1)?;
        for (kind, period) in REACH_PERIODS {
            if prev.as_deref().is_none_or(|p| period(p) != period(&day)) {
                unit.count_on(&day, kind, k.channel.as_str(), 1)?;
            }
        }
        let row = tx.query_row(USER_SQL, params![k.channel, k.id], |r| user_row(k, r))?;
        tx.commit()?;
        Ok(row)
    }

    /// [`Store::touch_user`] for a row just read: no second read, and no write when the day
    /// is already noted (most messages).
    pub fn touch_row(&self, row: UserRow) -> Result<UserRow, StoreError> {
        if row.last_seen.as_deref() == Some(crate::vntime::iso_date(now()).as_str()) {
            return Ok(row);
        }
        self.touch_user(&row.key)
    }

    /// The user's row, if any.
    pub fn user(&self, k: &UserKey) -> Result<Option<UserRow>, StoreError> {
        // Read for every update: the statement is kept prepared.
        let c = self.conn();
        let mut st = c.prepare_cached(USER_SQL)?;
        Ok(st.query_row(params![k.channel, k.id], |r| user_row(k, r)).optional()?)
    }

    /// Records consent, given as an explicit act, to the privacy notice `version`: the time
    /// and the version (the row is created if needed). Counted for the report's privacy
    /// section, with no user.
    pub fn give_consent(&self, k: &UserKey, version: &str) -> Result<UserRow, StoreError> {
        self.touch_user(k)?;
        let c = self.conn();
        c.execute(
            "UPDATE users SET consent_at = ?3, consent_version = ?4, active = 1 WHERE channel = ?1 AND user_id = ?2",
            params![k.channel, k.id, now(), version],
        )?;
        super::Unit { c: &c }.count("privacy", "consent")?;
        Ok(c.query_row(USER_SQL, params![k.channel, k.id], |r| user_row(k, r))?)
    }

    /// Withdraws consent: processing stops (no tips, the quiz in progress ends, no more days
    /// of contact), what is stored stays until the user deletes it or its period ends. True if
    /// the user had consented. Counted for the report, with no user.
    pub fn withdraw_consent(&self, k: &UserKey) -> Result<bool, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let had = tx.execute(
            "UPDATE users SET consent_at = NULL, consent_version = NULL
             WHERE channel = ?1 AND user_id = ?2 AND consent_at IS NOT NULL",
            params![k.channel, k.id],
        )? > 0;
        tx.execute(
            "DELETE FROM subscriptions WHERE channel = ?1 AND chat_id = ?2",
            params![k.channel, k.id],
        )?;
        tx.execute(
            "DELETE FROM quiz_sessions WHERE channel = ?1 AND user_id = ?2",
            params![k.channel, k.id],
        )?;
        // No more messages: not even the outcome of a report.
        super::reports::drop_feedback(&tx, k)?;
        if had {
            super::Unit { c: &tx }.count("privacy", "withdrawal")?;
        }
        tx.commit()?;
        Ok(had)
    }

    /// Subscribes or unsubscribes the user's private chat from weekly tips.
    pub fn set_subscribed(&self, k: &UserKey, on: bool) -> Result<(), StoreError> {
        self.touch_user(k)?;
        if on {
            self.subscribe(k.channel, &k.id, crate::model::ChatKind::Private)?;
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

    /// Sets a user's stored role (an admin's grant; configured admins need no row). The row
    /// is created if needed, without a day of contact: being granted a role is not using the
    /// bot, and nothing else about the person is stored until they agree.
    pub fn set_role(&self, k: &UserKey, role: Role) -> Result<(), StoreError> {
        let c = self.conn();
        c.execute(
            "INSERT OR IGNORE INTO users (channel, user_id, created_at) VALUES (?1, ?2, ?3)",
            params![k.channel, k.id, now()],
        )?;
        c.execute(
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

    /// Deletes everything stored about a user, at their request (`/xoadulieu`, or an
    /// operator's `data delete`), counting the deletion for the report's privacy section (a
    /// count of the day, no user). Returns whether anything was stored.
    pub fn delete_user(&self, k: &UserKey) -> Result<bool, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let existed = erase_user(&tx, k)? > 0;
        if existed {
            super::Unit { c: &tx }.count("privacy", "deletion")?;
        }
        tx.commit()?;
        Ok(existed)
    }
}

/// Deletes everything stored about a user within a transaction; returns the rows deleted.
/// Aggregate counters stay: they hold no user.
pub(super) fn erase_user(tx: &rusqlite::Transaction<'_>, k: &UserKey) -> Result<usize, StoreError> {
    let mut n = 0;
    for table in ["users", "quiz_sessions", "quiz_missed", "quiz_results", "participants", "group_answers"] {
        n += tx.execute(
            &format!("DELETE FROM {table} WHERE channel = ?1 AND user_id = ?2"),
            params![k.channel, k.id],
        )?;
    }
    // Their private chat: subscription and tip history go; broadcast rows keep their outcome
    // (until their own period ends) but lose the chat id, and anything still waiting is
    // skipped.
    for table in ["subscriptions", "tip_history"] {
        n += tx.execute(
            &format!("DELETE FROM {table} WHERE channel = ?1 AND chat_id = ?2"),
            params![k.channel, k.id],
        )?;
    }
    // Sessions they ran as a trainer and broadcasts they made as an admin stay, without them.
    n += tx.execute(
        "UPDATE group_quizzes SET trainer_id = 'deleted:' || id WHERE trainer_channel = ?1 AND trainer_id = ?2",
        params![k.channel, k.id],
    )?;
    n += tx.execute(
        "UPDATE broadcasts SET created_by = 'deleted' WHERE created_by = ?1",
        [format!("{}:{}", k.channel, k.id)],
    )?;
    n += tx.execute(
        "UPDATE outbox SET chat_id = 'deleted:' || id,
             status = CASE WHEN status IN ('pending', 'sending') THEN 'skipped' ELSE status END,
             reason = CASE WHEN status IN ('pending', 'sending') THEN 'deleted' ELSE reason END
         WHERE channel = ?1 AND chat_id = ?2",
        params![k.channel, k.id],
    )?;
    // Their reports stay as anonymous counts; decisions they took as an admin stay, unnamed.
    n += super::reports::forget_reporter(tx, k)?;
    n += tx.execute(
        "UPDATE report_decisions SET decided_by = 'deleted' WHERE decided_by = ?1",
        [format!("{}:{}", k.channel, k.id)],
    )?;
    n += super::web::erase_web(tx, k)?;
    Ok(n)
}
