//! Per-client rate limits for the public pages: a token bucket per address, in a map that
//! cannot grow without bound (when full, the buckets that are full again are dropped first,
//! then everything: a flood from many addresses cannot exhaust memory).

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::lock;

/// Most addresses tracked at once.
const MAX_CLIENTS: usize = 10_000;

/// Token buckets per client address.
#[derive(Debug)]
pub struct RateLimit {
    burst: f64,
    per_minute: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimit {
    /// `burst` requests at once, refilled at `per_minute`.
    #[must_use]
    pub fn new(burst: u32, per_minute: u32) -> Self {
        Self {
            burst: f64::from(burst),
            per_minute: f64::from(per_minute),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request for `ip` at `now`; `Err` with how long to wait when none is left.
    pub fn take(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let rate = self.per_minute / 60.0;
        let mut buckets = lock(&self.buckets);
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&ip) {
            let burst = self.burst;
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
            if buckets.len() >= MAX_CLIENTS {
                buckets.clear();
            }
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(((1.0 - *tokens) / rate).max(1.0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_refill_rate_per_address() {
        let l = RateLimit::new(3, 60);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().expect("ip"), "10.0.0.2".parse().expect("ip"));
        let t = Instant::now();
        assert!((0..3).all(|_| l.take(a, t).is_ok()));
        assert!(l.take(a, t).is_err(), "the burst is spent");
        assert!(l.take(b, t).is_ok(), "another address has its own bucket");
        assert!(l.take(a, t + Duration::from_millis(1100)).is_ok(), "one a second comes back");
    }
}
