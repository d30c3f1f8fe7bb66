//! The campaign worker: queues weekly slots when they come, and drains the durable outbox,
//! one task per channel, within that channel's limits. Each row is claimed (committed as
//! `sending`) right before its message goes out and settled right after, so a crash leaves at
//! most the messages in flight in doubt; at start they go back to `pending`.

use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::{
    sync::{Notify, Semaphore, watch},
    task::JoinSet,
};
use tracing::{Instrument, info, info_span, warn};

use crate::lock;

use super::{Campaign, ChannelLimits, ChatPacer, Outgoing, limits::window_wait};
use crate::{
    model::{Channel, ChatKind, Reason, UserKey},
    store::{NewOutcome, OutboxItem, Store, now},
    vntime::{local_day_minute, local_time},
};

/// What a channel says about one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendResult {
    /// Delivered.
    Sent,
    /// The platform asked us to wait (429, rate limit): the whole channel pauses.
    RetryAfter(Duration),
    /// A passing failure (5xx, network): retried with backoff.
    Transient(String),
    /// The user blocked the bot, unfollowed, or the bot left the group: unsubscribe.
    Gone(Reason),
    /// Not sent on purpose (the platform will not take it for this user).
    Skip(Reason),
    /// The chat has a new id (a Telegram group upgraded to a supergroup): send there.
    Moved(String),
    /// A failure that retrying will not fix.
    Failed(String),
}

/// A boxed send future.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = SendResult> + Send + 'a>>;

/// A channel that can deliver campaign messages.
pub trait Sender: Send + Sync {
    /// The channel.
    fn channel(&self) -> Channel;
    /// Sends one message to a chat (one attempt; the worker retries).
    fn send<'a>(&'a self, chat: &'a str, message: &'a Outgoing) -> SendFuture<'a>;
}

/// The worker.
pub struct Worker {
    campaign: Arc<Campaign>,
    channels: Vec<(Arc<dyn Sender>, ChannelLimits)>,
    wake: Arc<Notify>,
    retry_base: Duration,
    max_attempts: i64,
    tick: Duration,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("channels", &self.channels.len()).finish_non_exhaustive()
    }
}

/// Shared by a channel's drain loop and its send tasks.
struct Lane {
    campaign: Arc<Campaign>,
    store: Arc<Store>,
    sender: Arc<dyn Sender>,
    limits: ChannelLimits,
    paused_until: Mutex<Option<Instant>>,
    /// Messages sent or in flight today (Vietnamese day), for the daily cap: loaded once a day.
    today: Mutex<Option<(i64, i64)>>,
    retry_base: Duration,
    max_attempts: i64,
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => Some(v),
        Err(e) => {
            warn!(error = %e, "campaign store task failed");
            None
        }
    }
}

impl Lane {
    /// Whether a chat already had its message today (Zalo: one promotion per user per day).
    /// `Some((when, why))` to try again.
    fn postpone(&self, item: &OutboxItem, t: i64) -> Result<Option<(i64, Reason)>, crate::store::StoreError> {
        let (day, _) = local_day_minute(t);
        let today = (local_time(day, 0), local_time(day + 1, 0));
        if self.store.delivered_to(item.channel, &item.chat_id, today, item.id)? > 0 {
            let open = self.limits.window.map_or(0, |(open, _)| open);
            return Ok(Some((local_time(day + 1, open), Reason::DailyLimit)));
        }
        Ok(None)
    }

    /// When the whole channel may not send now (outside its daily window, or its daily cap is
    /// used up): the Unix time it may start again.
    async fn closed_until(self: &Arc<Self>, t: i64) -> Option<i64> {
        if let Some(at) = window_wait(&self.limits, t) {
            return Some(at);
        }
        let cap = self.limits.daily_cap?;
        let (day, _) = local_day_minute(t);
        let known = lock(&self.today).filter(|(d, _)| *d == day).map(|(_, n)| n);
        let used = match known {
            Some(n) => n,
            None => {
                let (store, channel) = (self.store.clone(), self.sender.channel());
                let today = (local_time(day, 0), local_time(day + 1, 0));
                match blocking(move || store.delivered_on(channel, today)).await {
                    Some(Ok(n)) => {
                        *lock(&self.today) = Some((day, n));
                        n
                    }
                    _ => return Some(t + 60),
                }
            }
        };
        (used >= cap).then(|| local_time(day + 1, self.limits.window.map_or(0, |(open, _)| open)))
    }

    /// Counts a message against today's cap (`-1` when it turned out not to be sent).
    fn count_today(&self, delta: i64) {
        if let Some((_, n)) = lock(&self.today).as_mut() {
            *n += delta;
        }
    }

    fn outcome(&self, item: &OutboxItem, result: SendResult) -> NewOutcome {
        let t = now();
        match result {
            SendResult::Sent => NewOutcome::Sent,
            SendResult::RetryAfter(d) => {
                let secs = i64::try_from(d.as_secs()).unwrap_or(60).max(1);
                NewOutcome::Retry { at: t + secs, reason: Reason::RateLimited }
            }
            SendResult::Transient(reason) if item.attempts < self.max_attempts => {
                let factor = 1u32 << u32::try_from(item.attempts.clamp(1, 8) - 1).unwrap_or(0);
                let wait = (self.retry_base * factor).min(Duration::from_secs(600));
                NewOutcome::Retry {
                    at: t + i64::try_from(wait.as_secs()).unwrap_or(600).max(1),
                    reason: Reason::Other(reason),
                }
            }
            SendResult::Transient(reason) | SendResult::Failed(reason) => {
                NewOutcome::Failed(Reason::Other(reason))
            }
            SendResult::Gone(reason) | SendResult::Skip(reason) => NewOutcome::Skipped(reason),
            SendResult::Moved(_) if item.attempts < self.max_attempts => {
                NewOutcome::Retry { at: t, reason: Reason::ChatMoved }
            }
            SendResult::Moved(_) => NewOutcome::Failed(Reason::ChatMoved),
        }
    }

    async fn deliver(self: Arc<Self>, item: OutboxItem, message: Outgoing) {
        let group = item.chat_kind == ChatKind::Group;
        let result = self.sender.send(&item.chat_id, &message).await;
        if let SendResult::RetryAfter(d) = &result {
            let until = Instant::now() + *d;
            let mut p = lock(&self.paused_until);
            *p = Some(p.map_or(until, |old| old.max(until)));
            warn!(seconds = d.as_secs(), "rate limited; the channel pauses");
        }
        if result != SendResult::Sent {
            self.count_today(-1);
        }
        let gone = matches!(result, SendResult::Gone(_));
        let moved = if let SendResult::Moved(to) = &result { Some(to.clone()) } else { None };
        let outcome = self.outcome(&item, result);
        if let NewOutcome::Failed(reason) = &outcome {
            warn!(row = item.id, attempts = item.attempts, reason = %reason, "broadcast message failed");
        }
        let store = self.store.clone();
        blocking(move || {
            if gone {
                let r = if group {
                    store.unsubscribe(item.channel, &item.chat_id).map(|_| ())
                } else {
                    store.mark_gone(&UserKey::new(item.channel, &item.chat_id))
                };
                if let Err(e) = r {
                    warn!(error = %e, "could not unsubscribe a gone chat");
                }
            }
            if let Some(to) = moved {
                info!("chat moved to a new id; following it");
                if let Err(e) = store.move_chat(item.channel, &item.chat_id, &to) {
                    warn!(error = %e, "could not follow a moved chat");
                }
            }
            if let Err(e) = store.settle(item.id, &outcome) {
                warn!(error = %e, row = item.id, "could not settle an outbox row; it will be resent after a restart");
            }
        })
        .await;
    }
}

impl Worker {
    /// A worker for a campaign; add channels with [`Worker::channel`].
    #[must_use]
    pub fn new(campaign: Arc<Campaign>) -> Self {
        Self {
            campaign,
            channels: Vec::new(),
            wake: Arc::new(Notify::new()),
            retry_base: Duration::from_secs(5),
            max_attempts: 6,
            tick: Duration::from_secs(5),
        }
    }

    /// Delivers a channel's rows through `sender` within `limits`.
    #[must_use]
    pub fn channel(mut self, sender: Arc<dyn Sender>, limits: ChannelLimits) -> Self {
        self.channels.push((sender, limits));
        self
    }

    /// First wait after a passing failure (doubles with each attempt, at most 10 minutes).
    #[must_use]
    pub fn retry_base(mut self, d: Duration) -> Self {
        self.retry_base = d;
        self
    }

    /// How often the schedule is looked at.
    #[must_use]
    pub fn tick(mut self, d: Duration) -> Self {
        self.tick = d;
        self
    }

    /// Wakes the worker when `wake` is notified (something was queued).
    #[must_use]
    pub fn wake_on(mut self, wake: Arc<Notify>) -> Self {
        self.wake = wake;
        self
    }

    /// Runs until `shutdown` turns true; messages in flight then finish and are settled.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let store = self.campaign.store().clone();
        let s = store.clone();
        match blocking(move || s.recover_in_flight()).await {
            Some(Ok(n)) if n > 0 => info!(rows = n, "resuming a broadcast interrupted by a restart"),
            Some(Err(e)) => warn!(error = %e, "could not recover in-flight outbox rows"),
            _ => {}
        }
        let mut tasks = JoinSet::new();
        for (sender, limits) in self.channels {
            let lane = Arc::new(Lane {
                campaign: self.campaign.clone(),
                store: store.clone(),
                sender,
                limits,
                paused_until: Mutex::new(None),
                today: Mutex::new(None),
                retry_base: self.retry_base,
                max_attempts: self.max_attempts,
            });
            let span = info_span!("outbox", channel = lane.sender.channel().as_str());
            tasks.spawn(drain(lane, self.wake.clone(), shutdown.clone()).instrument(span));
        }
        tasks.spawn(schedule(self.campaign.clone(), self.wake.clone(), self.tick, shutdown));
        while tasks.join_next().await.is_some() {}
        info!("campaign worker stopped");
    }
}

/// Queues weekly slots when due and closes finished broadcasts.
async fn schedule(
    campaign: Arc<Campaign>,
    wake: Arc<Notify>,
    tick: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let c = campaign.clone();
        let t = now();
        if let Some((queued, closed)) = blocking(move || (c.due(t), c.store().close_finished())).await {
            match queued {
                Ok(Some(_)) => wake.notify_waiters(),
                Ok(None) => {}
                Err(e) => warn!(error = %e, "weekly tip schedule check failed"),
            }
            match closed {
                Ok(ids) => ids.iter().for_each(|id| info!(broadcast = id, "broadcast finished")),
                Err(e) => warn!(error = %e, "closing finished broadcasts failed"),
            }
        }
        tokio::select! {
            () = tokio::time::sleep(tick) => {}
            _ = shutdown.changed() => return,
        }
    }
}

async fn drain(lane: Arc<Lane>, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
    let channel = lane.sender.channel();
    let interval = lane.limits.interval();
    let permits = Arc::new(Semaphore::new(lane.limits.concurrency.max(1)));
    let mut pacer = ChatPacer::default();
    let mut next = Instant::now();
    let mut inflight = JoinSet::new();
    loop {
        if *shutdown.borrow() {
            break;
        }
        while inflight.try_join_next().is_some() {}
        let paused = *lock(&lane.paused_until);
        let at = paused.map_or(next, |p| p.max(next));
        if at > Instant::now() {
            tokio::select! {
                () = tokio::time::sleep_until(at.into()) => {}
                _ = shutdown.changed() => break,
            }
        }
        if let Some(at) = lane.closed_until(now()).await {
            let wait = Duration::from_secs(u64::try_from(at - now()).unwrap_or(0).max(1));
            info!(seconds = wait.as_secs(), "outside the channel's hours or daily cap; waiting");
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => break,
            }
            continue;
        }
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = shutdown.changed() => break,
        };
        let store = lane.store.clone();
        let t = now();
        let claimed = blocking(move || store.claim_due(channel, t, 1)).await;
        let item = match claimed {
            Some(Ok(mut items)) if !items.is_empty() => items.remove(0),
            other => {
                if let Some(Err(e)) = other {
                    warn!(error = %e, "claiming outbox rows failed");
                }
                drop(permit);
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = shutdown.changed() => break,
                }
                continue;
            }
        };
        let rule = if lane.limits.once_per_day {
            let (l, it) = (lane.clone(), item.clone());
            blocking(move || l.postpone(&it, t)).await
        } else {
            None
        };
        let wait = pacer.wait(&lane.limits, &item.chat_id, item.chat_kind == ChatKind::Group, Instant::now());
        let postpone = match rule {
            Some(Ok(Some((at, why)))) => Some((at, why)),
            Some(Err(e)) => Some((t + 60, Reason::Other(format!("store: {e}")))),
            _ if !wait.is_zero() => {
                Some((t + i64::try_from(wait.as_secs()).unwrap_or(60).max(1), Reason::ChatRate))
            }
            _ => None,
        };
        if let Some((at, reason)) = postpone {
            let store = lane.store.clone();
            blocking(move || store.settle(item.id, &NewOutcome::Wait { at, reason })).await;
            continue;
        }
        // A tip's card may be drawn on first use: off the runtime. Other messages are text.
        let message = if item.kind == crate::model::BroadcastKind::Tip && lane.campaign.cards().is_some() {
            let (campaign, it) = (lane.campaign.clone(), item.clone());
            blocking(move || campaign.message(&it)).await.flatten()
        } else {
            lane.campaign.message(&item)
        };
        let Some(message) = message else {
            let store = lane.store.clone();
            blocking(move || store.settle(item.id, &NewOutcome::Failed(Reason::TipMissing))).await;
            continue;
        };
        let started = Instant::now();
        pacer.sent(&item.chat_id, started);
        lane.count_today(1);
        next = (next + interval).max(started);
        let l = lane.clone();
        inflight.spawn(async move {
            l.deliver(item, message).await;
            drop(permit);
        });
    }
    // Graceful stop: what is in flight finishes and is settled.
    while inflight.join_next().await.is_some() {}
}
