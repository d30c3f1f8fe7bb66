//! Platform sending limits for broadcasts: a steady overall pace, a minimum gap per chat, a
//! cap per group per minute (Telegram); a daily window, one promotion per user per day and an
//! OA daily cap (Zalo). Pure bookkeeping; the worker asks before each send.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

/// One channel's limits.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelLimits {
    /// Messages per second over all chats.
    pub per_second: f64,
    /// Minimum time between two messages to the same chat.
    pub per_chat_gap: Duration,
    /// Messages per minute to one group.
    pub per_group_per_minute: usize,
    /// Sending allowed only between these minutes of the day, Vietnamese time.
    pub window: Option<(i64, i64)>,
    /// At most one message per user per Vietnamese day.
    pub once_per_day: bool,
    /// At most this many messages per Vietnamese day over all users.
    pub daily_cap: Option<i64>,
    /// Messages in flight at once.
    pub concurrency: usize,
}

impl ChannelLimits {
    /// Telegram: ≤ 30 messages/s overall (`per_second` may be set lower to leave room for
    /// replies), 1/s per chat, 20/min per group.
    #[must_use]
    pub fn telegram(per_second: f64) -> Self {
        Self {
            per_second,
            per_chat_gap: Duration::from_secs(1),
            per_group_per_minute: 20,
            window: None,
            once_per_day: false,
            daily_cap: None,
            concurrency: 8,
        }
    }

    /// Zalo promotion messages: followers only (checked when queued), one per user per day,
    /// 06:00–22:00, a daily cap per OA, and well under the 4,000 requests/min app limit.
    #[must_use]
    pub fn zalo(per_second: f64, daily_cap: i64) -> Self {
        Self {
            per_second,
            per_chat_gap: Duration::from_secs(1),
            per_group_per_minute: 20,
            window: Some((6 * 60, 22 * 60)),
            once_per_day: true,
            daily_cap: Some(daily_cap),
            concurrency: 8,
        }
    }

    /// The gap between two sends at the overall pace.
    #[must_use]
    pub fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.per_second.max(0.001))
    }
}

/// When sending at Unix time `t` falls outside the channel's daily window: the time the
/// window opens next. `None` when sending is allowed now.
#[must_use]
pub fn window_wait(limits: &ChannelLimits, t: i64) -> Option<i64> {
    let (open, close) = limits.window?;
    let (day, minute) = crate::vntime::local_day_minute(t);
    if minute < open {
        Some(crate::vntime::local_time(day, open))
    } else if minute >= close {
        Some(crate::vntime::local_time(day + 1, open))
    } else {
        None
    }
}

/// Recent sends per chat, to keep the per-chat and per-group limits.
#[derive(Debug, Default)]
pub struct ChatPacer {
    recent: HashMap<String, VecDeque<Instant>>,
}

impl ChatPacer {
    /// How long to wait before `chat` may get another message (zero: now).
    #[must_use]
    pub fn wait(&mut self, limits: &ChannelLimits, chat: &str, group: bool, now: Instant) -> Duration {
        let Some(q) = self.recent.get_mut(chat) else { return Duration::ZERO };
        while q.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60)) {
            q.pop_front();
        }
        let mut wait =
            q.back().map_or(Duration::ZERO, |t| limits.per_chat_gap.saturating_sub(now.duration_since(*t)));
        if group
            && q.len() >= limits.per_group_per_minute
            && let Some(oldest) = q.front()
        {
            wait = wait.max(Duration::from_secs(60).saturating_sub(now.duration_since(*oldest)));
        }
        wait
    }

    /// Notes a send to `chat`.
    pub fn sent(&mut self, chat: &str, now: Instant) {
        self.recent.entry(chat.to_owned()).or_default().push_back(now);
        if self.recent.len() > 50_000 {
            self.recent
                .retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < Duration::from_secs(60)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zalo_sends_only_between_six_and_ten_pm_vietnamese_time() {
        let z = ChannelLimits::zalo(30.0, 500);
        let monday_0800 = 1_795_395_600;
        assert_eq!(window_wait(&z, monday_0800), None);
        let six = monday_0800 - 2 * 3600;
        assert_eq!(window_wait(&z, six - 1), Some(six), "05:59 waits for 06:00");
        assert_eq!(window_wait(&z, six), None);
        assert_eq!(window_wait(&z, six + 16 * 3600 - 1), None, "21:59 is fine");
        assert_eq!(window_wait(&z, six + 16 * 3600), Some(six + 86_400), "22:00 waits for tomorrow 06:00");
        assert_eq!(window_wait(&ChannelLimits::telegram(30.0), six - 1), None);
    }

    #[test]
    fn per_chat_gap_and_group_minute_cap() {
        let l = ChannelLimits::telegram(30.0);
        let mut p = ChatPacer::default();
        let t0 = Instant::now();
        assert_eq!(p.wait(&l, "a", false, t0), Duration::ZERO);
        p.sent("a", t0);
        assert_eq!(p.wait(&l, "a", false, t0 + Duration::from_millis(400)), Duration::from_millis(600));
        assert_eq!(p.wait(&l, "b", false, t0), Duration::ZERO);
        for i in 0..20 {
            p.sent("g", t0 + Duration::from_secs(i));
        }
        let w = p.wait(&l, "g", true, t0 + Duration::from_secs(21));
        assert_eq!(
            w,
            Duration::from_secs(39),
            "the 21st message in a minute waits for the oldest to age out"
        );
        assert_eq!(p.wait(&l, "g", false, t0 + Duration::from_secs(21)), Duration::ZERO);
        assert!((l.interval().as_secs_f64() - 1.0 / 30.0).abs() < 1e-9);
    }
}
