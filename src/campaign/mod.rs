//! Campaigns: subscriptions per chat, the weekly-tip schedule, admin alerts and their
//! statistics. Everything here is synchronous and works on the store; the [`Worker`] drains
//! the durable outbox through channel [`Sender`]s within each platform's limits.

mod limits;
mod schedule;
mod tips;
mod worker;

use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;
use tracing::info;

pub use limits::{ChannelLimits, ChatPacer, window_wait};
pub use schedule::{ScheduleError, TipSchedule, WEEK};
pub use tips::next_tip;
pub use worker::{SendFuture, SendResult, Sender, Worker};

use crate::{
    content::{Content, Tip},
    model::{BroadcastKind, BroadcastStatus, Channel, ChatKind, OutboxStatus},
    rich::{Rich, Span},
    store::{BroadcastSummary, OutboxItem, Store, StoreError, SubscriptionCount},
    vntime::{date_vi, datetime_vi, iso_date, week_start},
};

/// Longest alert an admin may broadcast (one message on every platform).
pub const MAX_ALERT_CHARS: usize = 1000;

const STARTED_KEY: &str = "campaign.started_at";

/// Campaign failures.
#[derive(Debug, Error)]
pub enum CampaignError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `/guimeo` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TipNow {
    /// This week's tip was queued for this many chats.
    Queued {
        /// Broadcast id.
        id: i64,
        /// Chats it can reach.
        recipients: usize,
    },
    /// This week's tip had already gone out (or is going out).
    AlreadySent {
        /// Broadcast id.
        id: i64,
    },
}

/// A message ready for a channel: a title line and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The title line.
    pub title: String,
    /// The text under it.
    pub body: Rich,
    /// A message to one person about their own request (Zalo sends it as a reply, not as a
    /// promotion to followers).
    pub personal: bool,
    /// An image sent with it (the weekly tip's card); the text is its caption. A channel that
    /// cannot send the image sends the text alone.
    pub card: Option<crate::cards::Card>,
}

impl Outgoing {
    /// Title in bold, then the body: for channels that take rich text.
    #[must_use]
    pub fn rich(&self) -> Rich {
        Rich::new().spans(vec![Span::Bold(self.title.clone())]).append(self.body.clone())
    }
}

/// The figures behind `/thongke` and `canhgiac stats`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Subscribed chats per channel and kind.
    pub subscribers: Vec<SubscriptionCount>,
    /// Recent broadcasts with delivered/failed counts.
    pub broadcasts: Vec<BroadcastSummary>,
    /// Start of the week counted (Monday 00:00, Vietnamese time; Unix seconds).
    pub week_start: i64,
    /// Messages checked this week, per verdict.
    pub checks_this_week: Vec<(String, i64)>,
    /// Distinct users who finished a quiz this week.
    pub quiz_takers_this_week: i64,
    /// Quizzes finished this week.
    pub quizzes_this_week: i64,
    /// Distinct users who finished a quiz, ever.
    pub quiz_takers_total: i64,
    /// When the next weekly tip goes out (Unix seconds).
    pub next_tip_at: i64,
    /// The same, as people say it.
    #[serde(skip)]
    next_tip_text: String,
}

impl Stats {
    /// The statistics as a Vietnamese message.
    #[must_use]
    pub fn render(&self) -> Rich {
        let total: i64 = self.subscribers.iter().map(|s| s.count).sum();
        let mut subs: Vec<String> = self
            .subscribers
            .iter()
            .map(|s| format!("{}: {} {}", s.channel.label_vi(), s.count, s.chat_kind.label_vi()))
            .collect();
        if subs.is_empty() {
            subs.push("Chưa có ai đăng ký.".into());
        }
        let checks_total: i64 = self.checks_this_week.iter().map(|(_, n)| n).sum();
        let mut checks: Vec<String> =
            self.checks_this_week.iter().map(|(v, n)| format!("{}: {n}", verdict_label(v))).collect();
        if checks.is_empty() {
            checks.push("Chưa có lượt kiểm tra nào.".into());
        }
        let mut r = Rich::new()
            .spans(vec![Span::Bold("📊 Thống kê chiến dịch".into())])
            .heading(format!("Đăng ký nhận mẹo: {total} nơi nhận"))
            .bullets(subs)
            .heading(format!(
                "Kiểm tra tin nhắn tuần này (từ {}): {checks_total} lượt",
                date_vi(self.week_start)
            ))
            .bullets(checks)
            .heading("Trắc nghiệm (cá nhân và nhóm)")
            .bullets([
                format!("Tuần này: {} người, {} bài", self.quiz_takers_this_week, self.quizzes_this_week),
                format!("Từ trước đến nay: {} người", self.quiz_takers_total),
            ]);
        if !self.broadcasts.is_empty() {
            r = r.heading("Đợt gửi gần đây").bullets(self.broadcasts.iter().map(describe_broadcast));
        }
        r.para(format!("Mẹo tuần tiếp theo: {}.", self.next_tip_text))
    }
}

/// A stored verdict key in Vietnamese.
#[must_use]
pub fn verdict_label(key: &str) -> &str {
    match crate::check::Verdict::parse(key) {
        Some(v) => v.label_vi(),
        None => key,
    }
}

/// One line about a broadcast for an admin: kind, time, and the counts that are not zero
/// (đã gửi, lỗi, bỏ qua, đang chờ), with its state while it is not finished.
#[must_use]
pub fn describe_broadcast(b: &BroadcastSummary) -> String {
    let kind = match b.kind {
        BroadcastKind::Tip => "Mẹo tuần",
        BroadcastKind::Alert => "Cảnh báo",
        BroadcastKind::Feedback => "Phản hồi báo cáo",
    };
    let parts: Vec<String> = [
        (OutboxStatus::Sent, b.total(OutboxStatus::Sent)),
        (OutboxStatus::Failed, b.total(OutboxStatus::Failed)),
        (OutboxStatus::Skipped, b.total(OutboxStatus::Skipped)),
        (OutboxStatus::Pending, b.total(OutboxStatus::Pending) + b.total(OutboxStatus::Sending)),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(status, n)| format!("{} {n}", status.label_vi()))
    .collect();
    let counts = if parts.is_empty() { "chưa có nơi nhận".to_owned() } else { parts.join(", ") };
    let state =
        if b.status == BroadcastStatus::Done { String::new() } else { format!(" ({})", b.status.label_vi()) };
    format!("{kind} {}: {counts}{state}", datetime_vi(b.created_at))
}

/// A title, the text in paragraphs (blank lines separate them), and a footer.
fn compose(title: &str, text: &str, footer: &str) -> Outgoing {
    let mut body = Rich::new();
    for para in text.trim().split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        body = body.para(para);
    }
    Outgoing { title: title.to_owned(), body: body.para(footer), personal: false, card: None }
}

/// The campaign over the content's tips and the store.
#[derive(Debug)]
pub struct Campaign {
    content: Arc<Content>,
    store: Arc<Store>,
    schedule: TipSchedule,
    cards: Option<Arc<crate::cards::Cards>>,
}

impl Campaign {
    /// A campaign with a weekly slot.
    #[must_use]
    pub fn new(content: Arc<Content>, store: Arc<Store>, schedule: TipSchedule) -> Self {
        Self { content, store, schedule, cards: None }
    }

    /// Sends weekly tips with their cards (`None`: text only).
    #[must_use]
    pub fn with_cards(mut self, cards: Option<Arc<crate::cards::Cards>>) -> Self {
        self.cards = cards;
        self
    }

    /// The card renderer, when tips go out as cards.
    #[must_use]
    pub fn cards(&self) -> Option<&Arc<crate::cards::Cards>> {
        self.cards.as_ref()
    }

    /// A tip's card (drawn once per content version, then cached); `None` when cards are off
    /// or the card could not be drawn (the tip then goes out as text).
    #[must_use]
    pub fn tip_card(&self, id: &str) -> Option<crate::cards::Card> {
        let cards = self.cards.as_ref()?;
        match cards.card(&crate::cards::CardId::Tip(id.to_owned()), crate::cards::Format::Square) {
            Ok(card) => Some(card),
            Err(e) => {
                tracing::warn!(error = %e, "the tip's card could not be drawn; sending text");
                None
            }
        }
    }

    /// This week's tip (the one a new subscriber starts with).
    pub fn current_tip(&self, now: i64) -> Result<Option<&Tip>, CampaignError> {
        let n = self.content.tips.len();
        if n == 0 {
            return Ok(None);
        }
        Ok(self.content.tips.get(self.week_index(now)? % n))
    }

    /// The weekly slot.
    #[must_use]
    pub fn schedule(&self) -> TipSchedule {
        self.schedule
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    fn tip_ids(&self) -> Vec<String> {
        self.content.tips.iter().map(|t| t.id.clone()).collect()
    }

    /// When the campaign first ran here (stored the first time it is asked). Slots before it
    /// are not "missed".
    pub fn started_at(&self, now: i64) -> Result<i64, CampaignError> {
        Ok(self.store.kv_get_or_insert(STARTED_KEY, &now.to_string())?.parse().unwrap_or(now))
    }

    /// Position of the current week's tip: the week the campaign started is week 0.
    pub fn week_index(&self, now: i64) -> Result<usize, CampaignError> {
        let first = self.schedule.latest_slot(self.started_at(now)?);
        let weeks = (self.schedule.latest_slot(now) - first).max(0) / WEEK;
        Ok(usize::try_from(weeks).unwrap_or(0))
    }

    /// A tip by id.
    #[must_use]
    pub fn tip(&self, id: &str) -> Option<&Tip> {
        self.content.tip(id)
    }

    /// Subscribes a chat. For a new subscription, returns the tip it starts with (this week's
    /// tip, recorded so that it does not come again before the others).
    pub fn subscribe(
        &self,
        channel: Channel,
        chat: &str,
        chat_kind: ChatKind,
        now: i64,
    ) -> Result<Option<Tip>, CampaignError> {
        if !self.store.subscribe(channel, chat, chat_kind)? {
            return Ok(None);
        }
        let week = self.week_index(now)?;
        let state = self.store.tip_state(channel, chat)?;
        let Some((id, cycle)) = next_tip(&self.tip_ids(), &state, week) else { return Ok(None) };
        self.store.record_tip(channel, chat, &id, cycle)?;
        Ok(self.tip(&id).cloned())
    }

    fn enqueue(&self, slot: i64, by: &str, now: i64) -> Result<Option<(i64, usize)>, CampaignError> {
        let week = self.week_index(now)?;
        let ids = self.tip_ids();
        let id = self.store.enqueue_tips(slot, by, |state| next_tip(&ids, state, week))?;
        if let Some((id, recipients)) = id {
            info!(broadcast = id, slot, by, recipients, "weekly tip queued");
        }
        Ok(id)
    }

    /// The scheduler's tick: queues the latest weekly slot once if it has not gone out and
    /// came after the campaign started. A server that was down for weeks sends one tip, not
    /// one per missed week.
    pub fn due(&self, now: i64) -> Result<Option<i64>, CampaignError> {
        // A fan-out a crash interrupted is finished first (each chat listed once).
        for id in self.store.preparing_broadcasts()? {
            let week = self.week_index(now)?;
            let ids = self.tip_ids();
            let n = self.store.continue_tips(id, |state| next_tip(&ids, state, week))?;
            info!(broadcast = id, recipients = n, "an interrupted weekly tip fan-out finished");
        }
        let slot = self.schedule.latest_slot(now);
        if slot < self.started_at(now)? || self.store.slot_broadcast(slot)?.is_some() {
            return Ok(None);
        }
        Ok(self.enqueue(slot, "schedule", now)?.map(|(id, _)| id))
    }

    /// `/guimeo`: this week's tip now (once per week: the scheduled slot then has nothing to do).
    pub fn tip_now(&self, by: &str, now: i64) -> Result<TipNow, CampaignError> {
        let slot = self.schedule.latest_slot(now);
        if let Some(id) = self.store.slot_broadcast(slot)? {
            return Ok(TipNow::AlreadySent { id });
        }
        match self.enqueue(slot, by, now)? {
            Some((id, recipients)) => Ok(TipNow::Queued { id, recipients }),
            None => Ok(TipNow::AlreadySent { id: self.store.slot_broadcast(slot)?.unwrap_or(0) }),
        }
    }

    /// Subscribed chats an alert can reach (Zalo: followers only).
    pub fn audience(&self) -> Result<i64, CampaignError> {
        Ok(self.store.audience()?)
    }

    /// The message for an outbox row (`None` if its tip no longer exists). A tip's card may be
    /// drawn here the first time: call it off the async runtime.
    #[must_use]
    pub fn message(&self, item: &OutboxItem) -> Option<Outgoing> {
        match (item.kind, &item.tip_id, &item.body) {
            (BroadcastKind::Tip, Some(id), _) => {
                self.tip(id).map(|tip| Outgoing { card: self.tip_card(&tip.id), ..Self::tip_message(tip) })
            }
            (BroadcastKind::Alert, _, Some(body)) => Some(Self::alert_message(body)),
            (BroadcastKind::Feedback, _, Some(body)) => Some(Self::feedback_message(body)),
            _ => None,
        }
    }

    /// A weekly tip as subscribers receive it.
    #[must_use]
    pub fn tip_message(tip: &Tip) -> Outgoing {
        compose(
            "💡 Mẹo cảnh giác tuần này",
            &tip.text,
            "Gửi cho tôi tin nhắn đáng ngờ để kiểm tra. Gõ /huydangky nếu không muốn nhận mẹo nữa.",
        )
    }

    /// The outcome of a report, to one reporter (a reply to them, not a promotion).
    #[must_use]
    pub fn feedback_message(body: &str) -> Outgoing {
        let mut m = compose(
            "📣 Kết quả báo cáo lừa đảo của anh/chị",
            body,
            "Cảm ơn anh/chị đã góp phần cảnh báo mọi người.",
        );
        m.personal = true;
        m
    }

    /// An alert as subscribers receive it (also its preview).
    #[must_use]
    pub fn alert_message(body: &str) -> Outgoing {
        compose(
            "🚨 Cảnh báo lừa đảo",
            body,
            "Nghi ngờ một tin nhắn? Gửi cho tôi để kiểm tra. Gõ /huydangky nếu không muốn nhận thông báo nữa.",
        )
    }

    /// When the next weekly tip goes out, as people say it.
    #[must_use]
    pub fn next_tip_text(&self, now: i64) -> String {
        self.schedule.describe_next(now)
    }

    /// The campaign's figures now.
    pub fn stats(&self, now: i64) -> Result<Stats, CampaignError> {
        let from = week_start(now);
        let (takers, quizzes) = self.store.quiz_takers_since(from)?;
        let (takers_total, _) = self.store.quiz_takers_since(0)?;
        Ok(Stats {
            subscribers: self.store.subscription_counts()?,
            broadcasts: self.store.broadcast_summaries(5)?,
            checks_this_week: self.store.totals_between("verdict", Some(&iso_date(from)), None)?,
            week_start: from,
            quiz_takers_this_week: takers,
            quizzes_this_week: quizzes,
            quiz_takers_total: takers_total,
            next_tip_at: self.schedule.next_slot(now),
            next_tip_text: self.next_tip_text(now),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign() -> Campaign {
        let content = Arc::new(
            crate::content::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content").as_path())
                .expect("content"),
        );
        Campaign::new(content, Arc::new(Store::in_memory().expect("store")), TipSchedule::default())
    }

    /// The user of a private chat agrees to the privacy notice (tips reach only them).
    fn agree(c: &Campaign, channel: Channel, id: &str) {
        c.store.give_consent(&crate::store::UserKey::new(channel, id), "v").expect("consent");
    }

    // Wednesday 2026-11-25 10:00 in Vietnam.
    const WED: i64 = 1_795_395_600 + 2 * 86_400 + 2 * 3600;

    #[test]
    fn new_subscribers_start_with_this_weeks_tip_and_slots_go_once() {
        let c = campaign();
        assert_eq!(c.started_at(WED).expect("start"), WED);
        agree(&c, Channel::Telegram, "1");
        let tip =
            c.subscribe(Channel::Telegram, "1", ChatKind::Private, WED).expect("sub").expect("welcome tip");
        assert_eq!(tip.id, c.content.tips[0].id, "week 0 starts the list");
        assert!(c.subscribe(Channel::Telegram, "1", ChatKind::Private, WED).expect("again").is_none());
        assert_eq!(c.due(WED).expect("due"), None, "this week's slot was before the campaign started");
        let next_monday = c.schedule.next_slot(WED);
        let id = c.due(next_monday + 60).expect("due").expect("queued");
        assert_eq!(c.due(next_monday + 120).expect("again"), None);
        assert_eq!(c.tip_now("telegram:1", next_monday + 180).expect("now"), TipNow::AlreadySent { id });
        let late = {
            agree(&c, Channel::Zalo, "z");
            c.subscribe(Channel::Zalo, "z", ChatKind::Private, next_monday + 200)
        }
        .expect("sub")
        .expect("tip");
        assert_eq!(late.id, c.content.tips[1].id, "week 1's tip");
        // Down for three weeks: one slot is queued, not three.
        let later = next_monday + 3 * WEEK + 3600;
        assert!(c.due(later).expect("due").is_some());
        assert_eq!(c.store.broadcast_summaries(10).expect("summaries").len(), 2);
    }

    #[test]
    fn tip_now_queues_this_week_once_and_messages_render() {
        let c = campaign();
        c.started_at(WED).expect("start");
        agree(&c, Channel::Telegram, "1");
        c.subscribe(Channel::Telegram, "1", ChatKind::Private, WED).expect("sub");
        c.subscribe(Channel::Telegram, "-5", ChatKind::Group, WED).expect("sub");
        let TipNow::Queued { id, recipients } = c.tip_now("telegram:1", WED).expect("now") else {
            panic!("queued expected")
        };
        assert_eq!(recipients, 2);
        assert_eq!(c.tip_now("telegram:1", WED + 60).expect("again"), TipNow::AlreadySent { id });
        let items = c.store.claim_due(Channel::Telegram, WED + 10_000_000_000, 10).expect("claim");
        let private = items.iter().find(|i| i.chat_id == "1").expect("private row");
        assert_eq!(
            private.tip_id.as_deref(),
            Some(c.content.tips[1].id.as_str()),
            "no repeat of the welcome tip"
        );
        let m = c.message(private).expect("message");
        assert!(m.title.contains("Mẹo") && m.rich().to_plain().contains("/huydangky"));
        let stats = c.stats(WED).expect("stats");
        assert_eq!(stats.subscribers.iter().map(|s| s.count).sum::<i64>(), 2);
        let text = stats.render().to_plain();
        assert!(text.contains("Telegram: 1 nhóm") && text.contains("Mẹo tuần"), "{text}");
    }
}
