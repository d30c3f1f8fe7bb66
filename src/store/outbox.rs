//! Campaign tables: subscriptions (per chat: a private chat or a staff group), tip history,
//! broadcasts and the durable outbox, one row per recipient, moved through
//! `pending → sending → sent | failed | skipped` by the campaign worker.
//!
//! Crash safety: a row is claimed (`sending`, committed) before its message goes out and
//! marked `sent` right after. After a crash, rows still `sending` are the only ones in doubt;
//! [`Store::recover_in_flight`] puts them back to `pending`.

use std::collections::{BTreeMap, HashSet};

use rusqlite::{OptionalExtension, Transaction, params};

use super::{Store, StoreError, now};
use crate::model::{BroadcastKind, BroadcastStatus, Channel, ChatKind, OutboxStatus, Reason};

/// Where a subscriber is in the list of tips.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TipState {
    /// The last tip assigned, if any.
    pub last_tip: Option<String>,
    /// The pass through the list (tips repeat only in a new cycle).
    pub cycle: i64,
    /// Tips assigned in the current cycle.
    pub seen: HashSet<String>,
}

/// Subscriptions per channel and chat kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SubscriptionCount {
    /// Channel.
    pub channel: Channel,
    /// A person or a group.
    pub chat_kind: ChatKind,
    /// How many.
    pub count: i64,
}

/// One message to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// Row id.
    pub id: i64,
    /// The broadcast.
    pub broadcast_id: i64,
    /// Tip or alert.
    pub kind: BroadcastKind,
    /// Channel.
    pub channel: Channel,
    /// Chat id on the channel.
    pub chat_id: String,
    /// A person or a group.
    pub chat_kind: ChatKind,
    /// The tip (tip broadcasts).
    pub tip_id: Option<String>,
    /// The alert text (alert broadcasts).
    pub body: Option<String>,
    /// Attempts so far, including the current one.
    pub attempts: i64,
}

/// What happened to one outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewOutcome {
    /// Delivered.
    Sent,
    /// Try again at this Unix time.
    Retry {
        /// When.
        at: i64,
        /// Why.
        reason: Reason,
    },
    /// Not sent yet because of a platform rule (quiet hours, daily limits, per-chat pace):
    /// wait until this Unix time; does not count as an attempt.
    Wait {
        /// When.
        at: i64,
        /// Why.
        reason: Reason,
    },
    /// Given up.
    Failed(Reason),
    /// Not sent on purpose (e.g. not a follower, blocked).
    Skipped(Reason),
}

/// A broadcast and its delivery counts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BroadcastSummary {
    /// Id.
    pub id: i64,
    /// Tip or alert.
    pub kind: BroadcastKind,
    /// Where it is.
    pub status: BroadcastStatus,
    /// Who started it (`schedule`, `telegram:ID`, …).
    pub created_by: String,
    /// Unix time.
    pub created_at: i64,
    /// Unix time when the last row was settled.
    pub finished_at: Option<i64>,
    /// Rows per channel and status.
    pub counts: BTreeMap<Channel, BTreeMap<OutboxStatus, i64>>,
}

impl BroadcastSummary {
    /// Rows with this status over all channels.
    #[must_use]
    pub fn total(&self, status: OutboxStatus) -> i64 {
        self.counts.values().filter_map(|m| m.get(&status)).sum()
    }
}

fn tip_state(tx: &Transaction<'_>, channel: Channel, chat: &str) -> Result<TipState, StoreError> {
    let (last_tip, cycle): (Option<String>, i64) = tx
        .query_row(
            "SELECT last_tip, tip_cycle FROM subscriptions WHERE channel = ?1 AND chat_id = ?2",
            params![channel, chat],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((None, 0));
    let mut st = tx.prepare_cached(
        "SELECT tip_id FROM tip_history WHERE channel = ?1 AND chat_id = ?2 AND cycle = ?3",
    )?;
    let seen = st.query_map(params![channel, chat, cycle], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(TipState { last_tip, cycle, seen })
}

fn record_tip(
    tx: &Transaction<'_>,
    channel: Channel,
    chat: &str,
    tip: &str,
    cycle: i64,
    broadcast: Option<i64>,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO tip_history (channel, chat_id, tip_id, cycle, broadcast_id, assigned_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![channel, chat, tip, cycle, broadcast, now()],
    )?;
    tx.execute(
        "UPDATE subscriptions SET last_tip = ?3, tip_cycle = ?4 WHERE channel = ?1 AND chat_id = ?2",
        params![channel, chat, tip, cycle],
    )?;
    Ok(())
}

/// Chats listed per transaction of a tip fan-out.
pub const FANOUT_CHUNK: usize = 100;

/// One recipient of a broadcast: channel, chat, kind, reachable.
pub(super) type Recipient = (Channel, String, ChatKind, bool);

/// Every subscription with whether promotion messages may reach it (Zalo: followers only).
/// A private chat is a recipient only while its user's explicit consent stands (an implied
/// consent from before consent was asked for, or a withdrawn one, sends nothing).
fn recipients(tx: &Transaction<'_>) -> Result<Vec<Recipient>, StoreError> {
    let mut st = tx.prepare(
        "SELECT s.channel, s.chat_id, s.chat_kind,
                s.channel != 'zalo' OR COALESCE(u.follower, 0) = 1
         FROM subscriptions s LEFT JOIN users u ON u.channel = s.channel AND u.user_id = s.chat_id
         WHERE (s.chat_kind = 'group' OR (u.consent_at IS NOT NULL AND u.consent_version IS NOT NULL))
         ORDER BY s.channel, s.chat_id",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The next [`FANOUT_CHUNK`] subscriptions after `after` (channel, chat) that have no row in
/// broadcast `id` yet.
fn recipients_after(
    tx: &Transaction<'_>,
    id: i64,
    after: &(String, String),
) -> Result<Vec<Recipient>, StoreError> {
    let mut st = tx.prepare_cached(
        "SELECT s.channel, s.chat_id, s.chat_kind,
                s.channel != 'zalo' OR COALESCE(u.follower, 0) = 1
         FROM subscriptions s LEFT JOIN users u ON u.channel = s.channel AND u.user_id = s.chat_id
         WHERE (s.channel, s.chat_id) > (?2, ?3) AND (s.chat_kind = 'group' OR (u.consent_at IS NOT NULL AND u.consent_version IS NOT NULL))
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.broadcast_id = ?1 AND o.channel = s.channel AND o.chat_id = s.chat_id)
         ORDER BY s.channel, s.chat_id LIMIT ?4",
    )?;
    let limit = i64::try_from(FANOUT_CHUNK).unwrap_or(500);
    let rows = st.query_map(params![id, after.0, after.1, limit], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn insert_row(
    tx: &Transaction<'_>,
    broadcast: i64,
    (channel, chat, kind, reachable): &Recipient,
    tip: Option<&str>,
) -> Result<(), StoreError> {
    let t = now();
    let (status, reason) = if *reachable {
        (OutboxStatus::Pending, None)
    } else {
        (OutboxStatus::Skipped, Some(Reason::NotFollower))
    };
    tx.execute(
        "INSERT OR IGNORE INTO outbox
             (broadcast_id, channel, chat_id, chat_kind, tip_id, status, next_try, reason, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7)",
        params![broadcast, channel, chat, kind, tip, status, t, reason],
    )?;
    Ok(())
}

impl Store {
    /// Subscribes a chat (`private` or `group`) to weekly tips. True if it was not subscribed.
    /// New subscriptions are counted (`subscribed`, per channel) for the report.
    pub fn subscribe(&self, channel: Channel, chat: &str, chat_kind: ChatKind) -> Result<bool, StoreError> {
        let c = self.conn();
        let new = c.execute(
            "INSERT OR IGNORE INTO subscriptions (channel, chat_id, chat_kind, subscribed_at) VALUES (?1, ?2, ?3, ?4)",
            params![channel, chat, chat_kind, now()],
        )? > 0;
        if new {
            super::Unit { c: &c }.count("subscribed", channel.as_str())?;
        }
        Ok(new)
    }

    /// Whether a chat is subscribed.
    pub fn is_subscribed(&self, channel: Channel, chat: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM subscriptions WHERE channel = ?1 AND chat_id = ?2",
                params![channel, chat],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Unsubscribes a chat. True if it was subscribed.
    pub fn unsubscribe(&self, channel: Channel, chat: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "DELETE FROM subscriptions WHERE channel = ?1 AND chat_id = ?2",
            params![channel, chat],
        )? > 0)
    }

    /// A chat got a new id (a Telegram group upgraded to a supergroup): its subscription and
    /// undelivered rows follow it.
    pub fn move_chat(&self, channel: Channel, from: &str, to: &str) -> Result<(), StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        tx.execute(
            "UPDATE OR IGNORE subscriptions SET chat_id = ?3 WHERE channel = ?1 AND chat_id = ?2",
            params![channel, from, to],
        )?;
        tx.execute(
            "UPDATE OR IGNORE outbox SET chat_id = ?3
             WHERE channel = ?1 AND chat_id = ?2 AND status IN ('pending', 'sending')",
            params![channel, from, to],
        )?;
        // The new id was already subscribed (or already has a row in the broadcast): the old
        // subscription and its rows are duplicates.
        tx.execute("DELETE FROM subscriptions WHERE channel = ?1 AND chat_id = ?2", params![channel, from])?;
        tx.execute(
            "UPDATE outbox SET status = 'skipped', reason = 'moved_duplicate'
             WHERE channel = ?1 AND chat_id = ?2 AND status IN ('pending', 'sending')",
            params![channel, from],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Subscribed chats of a channel.
    pub fn subscribers(&self, channel: Channel) -> Result<Vec<String>, StoreError> {
        let c = self.conn();
        let mut st = c.prepare("SELECT chat_id FROM subscriptions WHERE channel = ?1 ORDER BY chat_id")?;
        let rows = st.query_map(params![channel], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Subscribed chats a broadcast can reach (Zalo: followers only).
    pub fn audience(&self) -> Result<i64, StoreError> {
        Ok(self.reader().query_row(
            "SELECT COUNT(*) FROM subscriptions s LEFT JOIN users u ON u.channel = s.channel AND u.user_id = s.chat_id
             WHERE (s.channel != 'zalo' OR COALESCE(u.follower, 0) = 1) AND (s.chat_kind = 'group' OR (u.consent_at IS NOT NULL AND u.consent_version IS NOT NULL))",
            [],
            |r| r.get(0),
        )?)
    }

    /// Subscriptions per channel and chat kind.
    pub fn subscription_counts(&self) -> Result<Vec<SubscriptionCount>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(
            "SELECT channel, chat_kind, COUNT(*) FROM subscriptions GROUP BY channel, chat_kind ORDER BY 1, 2",
        )?;
        let rows = st.query_map([], |r| {
            Ok(SubscriptionCount { channel: r.get(0)?, chat_kind: r.get(1)?, count: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where a chat is in the list of tips.
    pub fn tip_state(&self, channel: Channel, chat: &str) -> Result<TipState, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let s = tip_state(&tx, channel, chat)?;
        tx.commit()?;
        Ok(s)
    }

    /// Records a tip given to a chat outside a broadcast (the welcome tip of a new subscriber).
    pub fn record_tip(&self, channel: Channel, chat: &str, tip: &str, cycle: i64) -> Result<(), StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        record_tip(&tx, channel, chat, tip, cycle, None)?;
        tx.commit()?;
        Ok(())
    }

    /// The tip broadcast of a weekly slot, if it was created.
    pub fn slot_broadcast(&self, slot: i64) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT id FROM broadcasts WHERE slot = ?1", params![slot], |r| r.get(0))
            .optional()?)
    }

    /// Creates the tip broadcast of a weekly slot with one outbox row per subscribed chat, each
    /// with its own next tip chosen by `pick` (from the chat's tip state: the tip and the cycle
    /// it belongs to). Returns its id and how many chats it can reach (Zalo non-followers get a
    /// skipped row); `None` if the slot already has one.
    ///
    /// The rows are written [`FANOUT_CHUNK`] chats per transaction, releasing the database
    /// between chunks, so a user's reply never waits behind a 10,000-chat fan-out. The
    /// broadcast is `preparing` until the last chunk; after a crash,
    /// [`Store::continue_tips`] lists the chats not yet listed (each chat once).
    pub fn enqueue_tips(
        &self,
        slot: i64,
        created_by: &str,
        pick: impl Fn(&TipState) -> Option<(String, i64)>,
    ) -> Result<Option<(i64, usize)>, StoreError> {
        let id = {
            let c = self.conn();
            let t = now();
            let n = c.execute(
                "INSERT OR IGNORE INTO broadcasts (kind, slot, created_by, status, created_at, queued_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![BroadcastKind::Tip, slot, created_by, BroadcastStatus::Preparing, t],
            )?;
            if n == 0 {
                return Ok(None);
            }
            c.last_insert_rowid()
        };
        Ok(Some((id, self.continue_tips(id, pick)?)))
    }

    /// Lists the chats of a `preparing` tip broadcast that have no row yet, chunk by chunk,
    /// then marks it queued. Returns how many of the chats listed now it can reach.
    pub fn continue_tips(
        &self,
        id: i64,
        pick: impl Fn(&TipState) -> Option<(String, i64)>,
    ) -> Result<usize, StoreError> {
        let mut reachable = 0;
        let mut after: (String, String) = (String::new(), String::new());
        loop {
            let mut c = self.conn();
            let tx = c.transaction()?;
            let chunk = recipients_after(&tx, id, &after)?;
            for r in &chunk {
                let state = tip_state(&tx, r.0, &r.1)?;
                let Some((tip, cycle)) = pick(&state) else { continue };
                if r.3 {
                    record_tip(&tx, r.0, &r.1, &tip, cycle, Some(id))?;
                    reachable += 1;
                }
                insert_row(&tx, id, r, Some(&tip))?;
            }
            let last = chunk.last().map(|r| (r.0.as_str().to_owned(), r.1.clone()));
            let done = chunk.len() < FANOUT_CHUNK;
            if done {
                tx.execute(
                    "UPDATE broadcasts SET status = ?2 WHERE id = ?1 AND status = ?3",
                    params![id, BroadcastStatus::Queued, BroadcastStatus::Preparing],
                )?;
            }
            tx.commit()?;
            drop(c);
            match last {
                Some(l) if !done => after = l,
                _ => return Ok(reachable),
            }
            // The lock is not fair: give waiting replies their turn before the next chunk.
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Tip broadcasts whose fan-out was interrupted (a crash while listing recipients).
    pub fn preparing_broadcasts(&self) -> Result<Vec<i64>, StoreError> {
        let c = self.conn();
        let mut st = c.prepare("SELECT id FROM broadcasts WHERE status = ?1 ORDER BY id")?;
        let rows = st.query_map(params![BroadcastStatus::Preparing], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Saves an alert as a draft awaiting confirmation. Returns its id.
    pub fn create_alert_draft(&self, body: &str, created_by: &str) -> Result<i64, StoreError> {
        let c = self.conn();
        c.execute(
            "INSERT INTO broadcasts (kind, body, created_by, status, created_at) VALUES ('alert', ?1, ?2, 'draft', ?3)",
            params![body, created_by, now()],
        )?;
        Ok(c.last_insert_rowid())
    }

    /// Queues a draft alert for every subscribed chat (one transaction). Returns how many chats
    /// it can reach (Zalo non-followers get a skipped row), or `None` if it is not a draft any
    /// more (confirmed twice, cancelled).
    pub fn queue_alert(&self, id: i64) -> Result<Option<usize>, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let n = tx.execute(
            "UPDATE broadcasts SET status = 'queued', queued_at = ?2 WHERE id = ?1 AND kind = 'alert' AND status = 'draft'",
            params![id, now()],
        )?;
        if n == 0 {
            return Ok(None);
        }
        let rows = recipients(&tx)?;
        for r in &rows {
            insert_row(&tx, id, r, None)?;
        }
        tx.commit()?;
        Ok(Some(rows.iter().filter(|r| r.3).count()))
    }

    /// Cancels a draft. True if it was a draft.
    pub fn cancel_draft(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ?2 WHERE id = ?1 AND status = 'draft'",
            params![id, now()],
        )? > 0)
    }

    /// After a crash: rows claimed but never settled go back to `pending`. Returns how many.
    pub fn recover_in_flight(&self) -> Result<usize, StoreError> {
        Ok(self.conn().execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'", [])?)
    }

    /// Claims up to `limit` due rows of a channel (`pending`, `next_try` ≤ `at`) in one
    /// transaction, oldest broadcast first, and marks them `sending`.
    pub fn claim_due(&self, channel: Channel, at: i64, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        let items: Vec<OutboxItem> = {
            let mut st = tx.prepare_cached(
                "SELECT o.id, o.broadcast_id, b.kind, o.channel, o.chat_id, o.chat_kind, o.tip_id, b.body, o.attempts
                 FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id
                 WHERE o.status = 'pending' AND o.channel = ?3 AND o.next_try <= ?1
                 ORDER BY o.status, o.channel, o.broadcast_id, o.id LIMIT ?2",
            )?;
            let rows = st.query_map(params![at, i64::try_from(limit).unwrap_or(i64::MAX), channel], |r| {
                Ok(OutboxItem {
                    id: r.get(0)?,
                    broadcast_id: r.get(1)?,
                    kind: r.get(2)?,
                    channel: r.get(3)?,
                    chat_id: r.get(4)?,
                    chat_kind: r.get(5)?,
                    tip_id: r.get(6)?,
                    body: r.get(7)?,
                    attempts: r.get::<_, i64>(8)? + 1,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        {
            let mut st = tx.prepare_cached(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?2 WHERE id = ?1",
            )?;
            for i in &items {
                st.execute(params![i.id, now()])?;
            }
        }
        tx.commit()?;
        Ok(items)
    }

    /// Settles (or reschedules) a claimed row. A row no longer `sending` (its user deleted their
    /// data, its chat moved onto another row meanwhile) keeps what happened to it.
    pub fn settle(&self, id: i64, outcome: &NewOutcome) -> Result<(), StoreError> {
        let t = now();
        let c = self.conn();
        match outcome {
            NewOutcome::Sent => {
                let tx = c.unchecked_transaction()?;
                let n = tx.execute(
                    "UPDATE outbox SET status = 'sent', reason = NULL, updated_at = ?2 WHERE id = ?1 AND status = 'sending'",
                    params![id, t],
                )?;
                // Deliveries are counted for the report (`delivered_tip`, `delivered_alert`
                // per channel): the rows themselves go when their retention period ends.
                tx.execute(
                    "INSERT INTO stats (day, kind, key, count)
                     SELECT ?2, 'delivered_' || b.kind, o.channel, 1 FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id
                     WHERE o.id = ?1 AND ?3 > 0
                     ON CONFLICT (day, kind, key) DO UPDATE SET count = count + 1",
                    params![id, crate::vntime::iso_date(t), n],
                )?;
                tx.commit()?;
                n
            }
            NewOutcome::Retry { at, reason } => c.execute(
                "UPDATE outbox SET status = 'pending', next_try = ?2, reason = ?3, updated_at = ?4 WHERE id = ?1 AND status = 'sending'",
                params![id, at, reason, t],
            )?,
            NewOutcome::Wait { at, reason } => c.execute(
                "UPDATE outbox SET status = 'pending', next_try = ?2, reason = ?3, updated_at = ?4,
                     attempts = MAX(attempts - 1, 0) WHERE id = ?1 AND status = 'sending'",
                params![id, at, reason, t],
            )?,
            NewOutcome::Failed(reason) => c.execute(
                "UPDATE outbox SET status = 'failed', reason = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'sending'",
                params![id, reason, t],
            )?,
            NewOutcome::Skipped(reason) => c.execute(
                "UPDATE outbox SET status = 'skipped', reason = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'sending'",
                params![id, reason, t],
            )?,
        };
        Ok(())
    }

    /// Marks queued broadcasts with no row left to deliver as done. Returns their ids.
    pub fn close_finished(&self) -> Result<Vec<i64>, StoreError> {
        let c = self.conn();
        let mut st = c.prepare_cached(
            "UPDATE broadcasts SET status = 'done', finished_at = ?1
             WHERE status = 'queued' AND NOT EXISTS
               (SELECT 1 FROM outbox o WHERE o.broadcast_id = broadcasts.id AND o.status IN ('pending', 'sending'))
             RETURNING id",
        )?;
        let ids = st.query_map(params![now()], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Messages delivered (or in flight) to one chat in `[from, to)` (Unix seconds), other
    /// than row `except`.
    pub fn delivered_to(
        &self,
        channel: Channel,
        chat: &str,
        (from, to): (i64, i64),
        except: i64,
    ) -> Result<i64, StoreError> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*) FROM outbox WHERE channel = ?1 AND chat_id = ?2 AND status IN ('sent', 'sending')
               AND updated_at >= ?3 AND updated_at < ?4 AND id != ?5",
            params![channel, chat, from, to, except],
            |r| r.get(0),
        )?)
    }

    /// Messages delivered (or in flight) on a channel in `[from, to)` (Unix seconds).
    pub fn delivered_on(&self, channel: Channel, (from, to): (i64, i64)) -> Result<i64, StoreError> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*) FROM outbox WHERE channel = ?1 AND status IN ('sent', 'sending')
               AND updated_at >= ?2 AND updated_at < ?3",
            params![channel, from, to],
            |r| r.get(0),
        )?)
    }

    /// The latest broadcasts with their delivery counts, newest first.
    pub fn broadcast_summaries(&self, limit: usize) -> Result<Vec<BroadcastSummary>, StoreError> {
        self.summaries(
            "status NOT IN ('draft', 'cancelled') ORDER BY id DESC LIMIT ?1",
            i64::try_from(limit).unwrap_or(i64::MAX),
        )
    }

    /// One broadcast (sent or being sent) with its delivery counts.
    pub fn broadcast_summary(&self, id: i64) -> Result<Option<BroadcastSummary>, StoreError> {
        Ok(self.summaries("status NOT IN ('draft', 'cancelled') AND id = ?1", id)?.pop())
    }

    /// Broadcasts matching `filter` (with its one parameter), with their delivery counts.
    fn summaries(&self, filter: &str, arg: i64) -> Result<Vec<BroadcastSummary>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(&format!(
            "SELECT id, kind, status, created_by, created_at, finished_at FROM broadcasts WHERE {filter}"
        ))?;
        let mut out: Vec<BroadcastSummary> = st
            .query_map(params![arg], |r| {
                Ok(BroadcastSummary {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    status: r.get(2)?,
                    created_by: r.get(3)?,
                    created_at: r.get(4)?,
                    finished_at: r.get(5)?,
                    counts: BTreeMap::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let (Some(lowest), Some(highest)) = (out.iter().map(|b| b.id).min(), out.iter().map(|b| b.id).max())
        else {
            return Ok(out);
        };
        let mut counts = c.prepare_cached(
            "SELECT broadcast_id, channel, status, COUNT(*) FROM outbox WHERE broadcast_id BETWEEN ?1 AND ?2
             GROUP BY broadcast_id, channel, status",
        )?;
        let rows = counts
            .query_map(params![lowest, highest], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        for row in rows {
            let (id, channel, status, n): (i64, Channel, OutboxStatus, i64) = row?;
            if let Some(b) = out.iter_mut().find(|b| b.id == id) {
                b.counts.entry(channel).or_default().insert(status, n);
            }
        }
        Ok(out)
    }

    /// Why rows of a broadcast were skipped, failed or are waiting, with counts.
    pub fn broadcast_reasons(&self, id: i64) -> Result<Vec<(OutboxStatus, Reason, i64)>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(
            "SELECT status, COALESCE(reason, ''), COUNT(*) FROM outbox
             WHERE broadcast_id = ?1
               AND (status IN ('failed', 'skipped') OR (status = 'pending' AND reason IS NOT NULL))
             GROUP BY 1, 2 ORDER BY 3 DESC",
        )?;
        let rows = st.query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Distinct users who took a quiz since `from` (Unix seconds), and how many quizzes: personal
    /// quizzes finished, plus each participant who answered in a group session.
    pub fn quiz_takers_since(&self, from: i64) -> Result<(i64, i64), StoreError> {
        self.quiz_takers_between(from, i64::MAX)
    }

    /// [`Store::quiz_takers_since`] within `from..to` (Unix seconds).
    pub fn quiz_takers_between(&self, from: i64, to: i64) -> Result<(i64, i64), StoreError> {
        Ok(self.reader().query_row(
            "SELECT COUNT(DISTINCT who), COUNT(*) FROM (
                 SELECT channel || ':' || user_id AS who FROM quiz_results WHERE finished_at >= ?1 AND finished_at < ?2
                 UNION ALL
                 SELECT channel || ':' || user_id FROM group_answers WHERE answered_at >= ?1 AND answered_at < ?2
                 GROUP BY session_id, channel, user_id)",
            params![from, to],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BroadcastStatus, Channel, ChatKind, OutboxStatus, Reason};
    use crate::store::UserKey;

    fn pick_first(tips: &'static [&'static str]) -> impl Fn(&TipState) -> Option<(String, i64)> {
        move |s: &TipState| tips.iter().find(|t| !s.seen.contains(**t)).map(|t| ((*t).to_owned(), s.cycle))
    }

    #[test]
    fn tip_broadcast_once_per_slot_with_per_chat_tips() {
        let s = Store::in_memory().expect("store");
        s.give_consent(&UserKey::new(Channel::Telegram, "1"), "v").expect("consent");
        s.subscribe(Channel::Telegram, "1", ChatKind::Private).expect("sub");
        s.subscribe(Channel::Telegram, "-100", ChatKind::Group).expect("sub");
        s.record_tip(Channel::Telegram, "1", "a", 0).expect("welcome tip");
        let (id, reachable) =
            s.enqueue_tips(1000, "schedule", pick_first(&["a", "b"])).expect("enqueue").expect("new");
        assert_eq!(reachable, 2);
        assert_eq!(s.enqueue_tips(1000, "schedule", pick_first(&["a", "b"])).expect("again"), None);
        let items = s.claim_due(Channel::Telegram, now(), 10).expect("claim");
        let tips: Vec<_> = items.iter().map(|i| (i.chat_id.as_str(), i.tip_id.as_deref())).collect();
        assert_eq!(tips, [("-100", Some("a")), ("1", Some("b"))]);
        assert!(s.claim_due(Channel::Telegram, now(), 10).expect("claimed once").is_empty());
        for i in &items {
            s.settle(i.id, &NewOutcome::Sent).expect("settle");
        }
        assert_eq!(s.close_finished().expect("close"), [id]);
        let b = &s.broadcast_summaries(5).expect("summaries")[0];
        assert_eq!((b.status.as_str(), b.total(OutboxStatus::Sent)), ("done", 2));
    }

    #[test]
    fn a_large_fan_out_goes_in_chunks_and_resumes_after_a_crash() {
        let s = Store::in_memory().expect("store");
        let n = FANOUT_CHUNK * 2 + 3;
        for i in 0..n {
            s.give_consent(&UserKey::new(Channel::Telegram, &format!("{i:05}")), "v").expect("consent");
            s.subscribe(Channel::Telegram, &format!("{i:05}"), ChatKind::Private).expect("sub");
        }
        let (id, reachable) =
            s.enqueue_tips(7, "schedule", pick_first(&["a", "b"])).expect("enqueue").expect("new");
        assert_eq!(reachable, n);
        let rows: i64 = s
            .conn()
            .query_row("SELECT COUNT(DISTINCT chat_id) FROM outbox WHERE broadcast_id = ?1", [id], |r| {
                r.get(0)
            })
            .expect("rows");
        assert_eq!(rows, i64::try_from(n).expect("n"));
        assert_eq!(s.broadcast_summaries(1).expect("summary")[0].status, BroadcastStatus::Queued);
        // A crash after the first chunk: the broadcast stays `preparing` with some rows.
        s.conn()
            .execute(
                "INSERT INTO broadcasts (id, kind, slot, created_by, status, created_at) VALUES (99, 'tip', 8, 'schedule', 'preparing', 0)",
                [],
            )
            .expect("broadcast");
        s.conn()
            .execute(
                "INSERT INTO outbox (broadcast_id, channel, chat_id, chat_kind, tip_id, next_try, updated_at)
                 SELECT 99, channel, chat_id, chat_kind, 'b', 0, 0 FROM subscriptions ORDER BY chat_id LIMIT 10",
                [],
            )
            .expect("rows");
        assert_eq!(s.preparing_broadcasts().expect("preparing"), [99]);
        assert_eq!(s.continue_tips(99, pick_first(&["a", "b", "c"])).expect("resume"), n - 10);
        let rows: i64 = s
            .conn()
            .query_row("SELECT COUNT(*) FROM outbox WHERE broadcast_id = 99", [], |r| r.get(0))
            .expect("rows");
        assert_eq!(rows, i64::try_from(n).expect("n"), "each chat once");
        assert!(s.preparing_broadcasts().expect("preparing").is_empty());
    }

    #[test]
    fn private_chats_get_broadcasts_only_while_explicit_consent_stands() {
        let s = Store::in_memory().expect("store");
        let implied = UserKey::new(Channel::Telegram, "1");
        s.touch_user(&implied).expect("an old user");
        s.subscribe(Channel::Telegram, "1", ChatKind::Private).expect("sub");
        s.subscribe(Channel::Telegram, "-100", ChatKind::Group).expect("group");
        assert_eq!(s.audience().expect("audience"), 1, "the group only");
        s.give_consent(&implied, "v").expect("agrees");
        assert_eq!(s.audience().expect("audience"), 2);
        s.subscribe(Channel::Telegram, "1", ChatKind::Private).expect("sub");
        s.withdraw_consent(&implied).expect("withdraw");
        assert_eq!(s.audience().expect("audience"), 1, "a withdrawal unsubscribes");
    }

    #[test]
    fn alerts_need_a_draft_and_skip_non_followers() {
        let s = Store::in_memory().expect("store");
        s.give_consent(&UserKey::new(Channel::Zalo, "f"), "v").expect("consent");
        s.give_consent(&UserKey::new(Channel::Zalo, "n"), "v").expect("consent");
        s.set_subscribed(&UserKey::new(Channel::Zalo, "f"), true).expect("sub");
        s.set_follower(&UserKey::new(Channel::Zalo, "f"), true).expect("follow");
        s.set_subscribed(&UserKey::new(Channel::Zalo, "n"), true).expect("sub");
        let id = s.create_alert_draft("Cảnh báo", "telegram:1").expect("draft");
        assert_eq!(s.audience().expect("audience"), 1, "the follower only");
        assert_eq!(s.queue_alert(id).expect("queue"), Some(1), "two rows, one of them skipped");
        assert_eq!(s.queue_alert(id).expect("twice"), None);
        let items = s.claim_due(Channel::Zalo, now(), 10).expect("claim");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].body.as_deref(), Some("Cảnh báo"));
        assert_eq!(
            s.broadcast_reasons(id).expect("reasons"),
            [(OutboxStatus::Skipped, Reason::parse("not_follower"), 1)]
        );
        let d = s.create_alert_draft("x", "telegram:1").expect("draft");
        assert!(s.cancel_draft(d).expect("cancel"));
        assert_eq!(s.queue_alert(d).expect("cancelled"), None);
    }

    #[test]
    fn quiz_takers_count_personal_and_group_quizzes() {
        let s = Store::in_memory().expect("store");
        s.record_quiz(&UserKey::new(Channel::Telegram, "a"), 8, 10).expect("quiz");
        s.conn()
            .execute(
                "INSERT INTO group_quizzes (id, mode, channel, trainer_channel, trainer_id, questions, open_period, started_at)
                 VALUES (1, 'poll', 'telegram', 'telegram', 't', '[]', 30, ?1)",
                params![now()],
            )
            .expect("session");
        for (user, question) in [("a", 0), ("a", 1), ("b", 0)] {
            s.conn()
                .execute(
                    "INSERT INTO group_answers (session_id, channel, user_id, question, option, correct, answered_at)
                     VALUES (1, 'telegram', ?1, ?2, 0, 1, ?3)",
                    params![user, question, now()],
                )
                .expect("answer");
        }
        assert_eq!(s.quiz_takers_since(0).expect("takers"), (2, 3), "2 people; 1 personal + 2 group quizzes");
        assert_eq!(s.quiz_takers_since(now() + 10).expect("later"), (0, 0));
    }

    #[test]
    fn a_chat_moving_onto_an_existing_subscription_is_a_duplicate() {
        let s = Store::in_memory().expect("store");
        s.subscribe(Channel::Telegram, "-100", ChatKind::Group).expect("old id");
        s.subscribe(Channel::Telegram, "-200", ChatKind::Group)
            .expect("new id, subscribed again after the upgrade");
        let id = s.create_alert_draft("x", "cli").expect("draft");
        s.queue_alert(id).expect("queue");
        let rows = s.claim_due(Channel::Telegram, now(), 10).expect("claim");
        let old = rows.iter().find(|r| r.chat_id == "-100").expect("old row");
        s.move_chat(Channel::Telegram, "-100", "-200").expect("move");
        s.settle(old.id, &NewOutcome::Retry { at: now(), reason: Reason::parse("chat_moved") })
            .expect("settle");
        assert_eq!(s.subscribers(Channel::Telegram).expect("subs"), ["-200"]);
        assert_eq!(
            s.broadcast_reasons(id).expect("reasons"),
            [(OutboxStatus::Skipped, Reason::parse("moved_duplicate"), 1)]
        );
        assert_eq!(s.claim_due(Channel::Telegram, now(), 10).expect("claim").len(), 0, "not retried forever");
    }

    #[test]
    fn waiting_for_a_platform_rule_is_not_an_attempt() {
        let s = Store::in_memory().expect("store");
        let id = s.create_alert_draft("x", "cli").expect("draft");
        s.give_consent(&UserKey::new(Channel::Zalo, "z"), "v").expect("consent");
        s.subscribe(Channel::Zalo, "z", ChatKind::Private).expect("sub");
        s.set_follower(&UserKey::new(Channel::Zalo, "z"), true).expect("follow");
        s.queue_alert(id).expect("queue");
        let first = s.claim_due(Channel::Zalo, now(), 1).expect("claim").remove(0);
        assert_eq!(first.attempts, 1);
        s.settle(first.id, &NewOutcome::Wait { at: now() + 3600, reason: Reason::parse("daily_limit") })
            .expect("wait");
        assert!(s.claim_due(Channel::Zalo, now(), 1).expect("not due yet").is_empty());
        let again = s.claim_due(Channel::Zalo, now() + 3600, 1).expect("claim").remove(0);
        assert_eq!(again.attempts, 1, "the wait did not count");
        s.settle(again.id, &NewOutcome::Retry { at: now(), reason: Reason::Other("HTTP 500".into()) })
            .expect("retry");
        assert_eq!(
            s.claim_due(Channel::Zalo, now(), 1).expect("claim")[0].attempts,
            2,
            "a failed try counts"
        );
    }

    #[test]
    fn in_flight_rows_recover_and_deleted_users_are_skipped() {
        let s = Store::in_memory().expect("store");
        let k = UserKey::new(Channel::Telegram, "9");
        s.give_consent(&k, "v").expect("consent");
        s.give_consent(&UserKey::new(Channel::Telegram, "8"), "v").expect("consent");
        s.set_subscribed(&k, true).expect("sub");
        s.set_subscribed(&UserKey::new(Channel::Telegram, "8"), true).expect("sub");
        let id = s.create_alert_draft("x", "cli").expect("draft");
        s.queue_alert(id).expect("queue");
        assert_eq!(s.claim_due(Channel::Telegram, now(), 10).expect("claim").len(), 2);
        assert_eq!(s.recover_in_flight().expect("recover"), 2);
        s.delete_user(&k).expect("delete");
        let left = s.claim_due(Channel::Telegram, now(), 10).expect("claim");
        assert_eq!(left.iter().map(|i| i.chat_id.as_str()).collect::<Vec<_>>(), ["8"]);
        assert_eq!(
            s.broadcast_reasons(id).expect("reasons"),
            [(OutboxStatus::Skipped, Reason::parse("deleted"), 1)]
        );
    }
}
