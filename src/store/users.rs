//! The users repository: who has used the bot (channel, platform id, consent time, role,
//! follower and activity flags, the days of contact), and deleting all of it on request.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, UserKey, UserRow, now};
use crate::model::Role;

/// A user's row ([`user_row`] reads columns 0–4) and their last day of contact (column 5).
const USER_SQL: &str = "SELECT consent_at,
        EXISTS (SELECT 1 FROM subscriptions s WHERE s.channel = users.channel AND s.chat_id = users.user_id),
        active, role, follower, last_seen FROM users WHERE channel = ?1 AND user_id = ?2";

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

impl Store {
    /// The user's row, created on first contact. Also notes the day of contact (Vietnamese
    /// date, for "staff reached" counts): the day only, never the time or what was said.
    pub fn touch_user(&self, k: &UserKey) -> Result<UserRow, StoreError> {
        let mut c = self.conn();
        let t = now();
        let day = crate::vntime::iso_date(t);
        // Seen already today: one read, no write (most messages).
        let seen: Option<(UserRow, Option<String>)> = c
            .prepare_cached(USER_SQL)?
            .query_row(params![k.channel, k.id], |r| Ok((user_row(k, r)?, r.get(5)?)))
            .optional()?;
        if let Some((row, last)) = seen
            && last.as_deref() == Some(day.as_str())
        {
            return Ok(row);
        }
        let tx = c.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO users (channel, user_id, created_at) VALUES (?1, ?2, ?3)",
            params![k.channel, k.id, t],
        )?;
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
}
