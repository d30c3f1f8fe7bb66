//! Counters exported at `/metrics` (Prometheus text format), and a limiter that keeps a flood
//! of rejected requests from flooding the log: the first of each kind in a window is logged,
//! the rest only counted. A low module: channels, the pipeline and the HTTP layer all use it,
//! and it uses none of them.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// Counters exported at `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Updates received.
    pub updates: AtomicU64,
    /// Duplicate updates dropped.
    pub duplicates: AtomicU64,
    /// Messages sent.
    pub replies: AtomicU64,
    /// Failures.
    pub errors: AtomicU64,
    /// Webhook requests rejected (bad secret, signature, timestamp or body).
    pub rejected: AtomicU64,
    /// Rejections not logged because the log limiter held them back.
    pub rejected_unlogged: AtomicU64,
    /// Requests refused because the bot was at capacity (503).
    pub overloaded: AtomicU64,
    /// Updates accepted durably and handled.
    pub handled: AtomicU64,
    /// Updates found unhandled at start (accepted before a crash) and handled again.
    pub replayed: AtomicU64,
    /// Campaign messages (tips, alerts) delivered.
    pub broadcast_sent: AtomicU64,
    /// Updates accepted and not yet handled (a gauge).
    pub in_flight: AtomicU64,
    /// Imported lists that could not be fetched (the last good copy stayed).
    pub list_failures: AtomicU64,
    /// Imported lists fetched anew.
    pub list_updates: AtomicU64,
    log_window: Mutex<Option<Instant>>,
}

/// How often a rejected request is logged at most.
const LOG_EVERY: Duration = Duration::from_secs(10);

impl Metrics {
    /// Adds one.
    pub fn inc(&self, c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes one away (gauges).
    pub fn dec(&self, c: &AtomicU64) {
        c.fetch_sub(1, Ordering::Relaxed);
    }

    /// Counts a rejected request; true when it should also be logged (at most once every
    /// ten seconds, so a flood of forged requests cannot fill the disk).
    pub fn reject(&self) -> bool {
        self.inc(&self.rejected);
        let mut last = crate::lock(&self.log_window);
        let now = Instant::now();
        if last.is_some_and(|t| now.duration_since(t) < LOG_EVERY) {
            self.inc(&self.rejected_unlogged);
            return false;
        }
        *last = Some(now);
        true
    }

    /// The Prometheus text exposition.
    #[must_use]
    pub fn render(&self) -> String {
        let mut s = String::new();
        for (name, kind, help, c) in [
            ("canhgiac_updates_total", "counter", "Updates received from chat platforms.", &self.updates),
            ("canhgiac_duplicate_updates_total", "counter", "Duplicate updates dropped.", &self.duplicates),
            ("canhgiac_updates_handled_total", "counter", "Updates accepted and handled.", &self.handled),
            (
                "canhgiac_updates_replayed_total",
                "counter",
                "Updates accepted before a restart and handled after it.",
                &self.replayed,
            ),
            ("canhgiac_updates_in_flight", "gauge", "Updates accepted and not yet handled.", &self.in_flight),
            ("canhgiac_replies_total", "counter", "Messages sent to users.", &self.replies),
            ("canhgiac_errors_total", "counter", "Failures while handling updates.", &self.errors),
            (
                "canhgiac_list_refresh_failures_total",
                "counter",
                "Imported scam lists that could not be fetched (the last good copy stays).",
                &self.list_failures,
            ),
            (
                "canhgiac_list_updates_total",
                "counter",
                "Imported scam lists fetched anew.",
                &self.list_updates,
            ),
            ("canhgiac_webhook_rejected_total", "counter", "Webhook requests rejected.", &self.rejected),
            (
                "canhgiac_webhook_rejected_unlogged_total",
                "counter",
                "Rejected webhook requests not logged (rate-limited log).",
                &self.rejected_unlogged,
            ),
            (
                "canhgiac_overloaded_total",
                "counter",
                "Requests refused with 503 because the bot was at capacity.",
                &self.overloaded,
            ),
            (
                "canhgiac_broadcast_sent_total",
                "counter",
                "Campaign messages (tips, alerts) delivered.",
                &self.broadcast_sent,
            ),
        ] {
            s.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}\n",
                c.load(Ordering::Relaxed)
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_rejections_is_logged_once_and_counted_fully() {
        let m = Metrics::default();
        let logged = (0..1000).filter(|_| m.reject()).count();
        assert_eq!(logged, 1);
        assert_eq!(m.rejected.load(Ordering::Relaxed), 1000);
        assert_eq!(m.rejected_unlogged.load(Ordering::Relaxed), 999);
        assert!(m.render().contains("canhgiac_webhook_rejected_total 1000\n"));
    }
}
